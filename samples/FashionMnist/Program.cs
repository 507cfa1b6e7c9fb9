// Fashion-MNIST with the Keras programming model: the same program a Keras user writes in Python.
//   dotnet run -c Release --project samples/FashionMnist -- --epochs 5
using System.Globalization;
using KerasNotes;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

int epochs = 5;
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
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: FashionMnist [--epochs N] [--quick]");
        return 2;
    }
}

KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
if (quick)
{
    (xTrain, yTrain, xTest, yTest) = (xTrain.SliceRows(0, 5_000), yTrain[..5_000], xTest.SliceRows(0, 2_000), yTest[..2_000]);
}

// Scale pixels to [0, 1] and flatten 28×28 images to 784 features, as the Keras tutorial does.
var xTrainFlat = Ops.Reshape(xTrain / 255f, -1, 784);
var xTestFlat = Ops.Reshape(xTest / 255f, -1, 784);
Console.WriteLine($"Train: {xTrainFlat.Shape}, test: {xTestFlat.Shape}");

var model = new Sequential(
    new Input(784),
    new Dense(256, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.2),
    new Dense(128, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.2),
    new Dense(10, activation: "softmax"));

model.Compile(optimizer: new Adam(learningRate: 1e-3),
              loss: "sparse_categorical_crossentropy",
              metrics: ["accuracy"]);
model.Summary();

var history = model.Fit(xTrainFlat, yTrain, batchSize: 128, epochs: epochs,
                        validationData: (xTestFlat, Tensor.FromLabels(yTest)));

var scores = model.Evaluate(xTestFlat, yTest, batchSize: 256);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test loss {scores["loss"]:F4}, test accuracy {scores["accuracy"]:F4} after {history.Epochs.Count} epochs."));
return 0;
