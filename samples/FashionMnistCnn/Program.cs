// A convolutional network on Fashion-MNIST, written as a Keras user writes it in Python.
//   dotnet run -c Release --project samples/FashionMnistCnn -- --epochs 10
using System.Globalization;
using KerasNotes;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

int epochs = 10;
bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick")
    {
        // The CI smoke run: 1 epoch on 5,000 training and 2,000 test images.
        quick = true;
        epochs = 1;
    }
    else if (args[i] == "--epochs" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0)
    {
        epochs = e;
        i++;
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: FashionMnistCnn [--epochs N] [--quick]");
        return 2;
    }
}

KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
if (quick)
{
    (xTrain, yTrain, xTest, yTest) = (xTrain.SliceRows(0, 5_000), yTrain[..5_000], xTest.SliceRows(0, 2_000), yTest[..2_000]);
}

// Scale pixels to [0, 1] and give each image its channel axis: [n, 28, 28, 1] (channels last, as Keras).
var xTrainImages = Ops.Reshape(xTrain / 255f, -1, 28, 28, 1);
var xTestImages = Ops.Reshape(xTest / 255f, -1, 28, 28, 1);
Console.WriteLine($"Train: {xTrainImages.Shape}, test: {xTestImages.Shape}");

// Two convolution blocks (convolution, batch normalization, pooling), then a small classifier head.
var model = new Sequential(
    new Input(28, 28, 1),
    new Conv2D(32, kernelSize: 3, padding: "same", activation: "relu"),
    new BatchNormalization(),
    new MaxPooling2D(poolSize: 2),
    new Conv2D(64, kernelSize: 3, padding: "same", activation: "relu"),
    new BatchNormalization(),
    new MaxPooling2D(poolSize: 2),
    new Flatten(),
    new Dropout(0.3),
    new Dense(128, activation: "relu"),
    new Dropout(0.3),
    new Dense(10, activation: "softmax"));

model.Compile(optimizer: new Adam(learningRate: 1e-3),
              loss: "sparse_categorical_crossentropy",
              metrics: ["accuracy"]);
model.Summary();

var history = model.Fit(xTrainImages, yTrain, batchSize: 128, epochs: epochs,
                        validationData: (xTestImages, Tensor.FromLabels(yTest)));

var scores = model.Evaluate(xTestImages, yTest, batchSize: 256);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test loss {scores["loss"]:F4}, test accuracy {scores["accuracy"]:F4} after {history.Epochs.Count} epochs."));
return 0;
