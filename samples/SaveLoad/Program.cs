// Save and load with Keras 3's own file formats: train a small Fashion-MNIST classifier, save the whole model
// (.keras) and the weights alone (.weights.h5), load both ways, and check the predictions are identical.
//   dotnet run -c Release --project samples/SaveLoad -- [--samples N] [--epochs N] [--out folder]
using System.Globalization;
using KerasNotes;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Saving;

int samples = 6000, epochs = 2;
string folder = Path.Combine(Path.GetTempPath(), "kerasnotes-saveload");
for (int i = 0; i < args.Length; i++)
{
    bool hasValue = i + 1 < args.Length;
    if (args[i] == "--samples" && hasValue && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0)
    {
        samples = n;
        i++;
    }
    else if (args[i] == "--epochs" && hasValue && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0)
    {
        epochs = e;
        i++;
    }
    else if (args[i] == "--out" && hasValue)
    {
        folder = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: SaveLoad [--samples N] [--epochs N] [--out folder]");
        return 2;
    }
}

Directory.CreateDirectory(folder);
KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
samples = Math.Min(samples, xTrain.Shape[0]);
var x = Ops.Reshape(xTrain.SliceRows(0, samples) / 255f, -1, 784);
var y = yTrain[..samples];
var xCheck = Ops.Reshape(xTest.SliceRows(0, 1000) / 255f, -1, 784);

Sequential BuildModel() => new(
    new Input(784),
    new Dense(128, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.2),
    new Dense(10, activation: "softmax"));

var model = BuildModel();
model.Compile(optimizer: new Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
Console.WriteLine($"Training on {samples} Fashion-MNIST images for {epochs} epochs...");
model.Fit(x, y, batchSize: 64, epochs: epochs, verbose: 2);
var expected = model.Predict(xCheck);

// 1. The whole model: architecture, weights, compile configuration and optimizer state (Keras model.save).
string modelPath = Path.Combine(folder, "fashion.keras");
model.Save(modelPath);
var loaded = Model.Load(modelPath);
Report("Model.Load(\"fashion.keras\")", expected, loaded.Predict(xCheck));
Console.WriteLine($"  compiled: {loaded.IsCompiled}, optimizer {loaded.Optimizer?.GetType().Name} at step {loaded.Optimizer?.Iterations}");

// 2. Weights only, into a model built by the same code (Keras build_model() + model.load_weights).
string weightsPath = Path.Combine(folder, "fashion.weights.h5");
model.SaveWeights(weightsPath);
var rebuilt = BuildModel();
rebuilt.LoadWeights(weightsPath);
Report("BuildModel().LoadWeights(\"fashion.weights.h5\")", expected, rebuilt.Predict(xCheck));

// 3. A weights file that does not fit is refused, and the model is left as it was.
var wrong = new Sequential(new Input(784), new Dense(64, activation: "relu"), new BatchNormalization(), new Dropout(0.2), new Dense(10, activation: "softmax"));
try
{
    wrong.LoadWeights(weightsPath);
}
catch (ModelFormatException e)
{
    Console.WriteLine($"A mismatched model is refused: {e.Reason}");
}

// 4. Training resumes exactly where it stopped: the loaded model carries Adam's moments and step count.
loaded.Fit(x, y, batchSize: 64, epochs: 1, verbose: 2);
Console.WriteLine($"Files in {folder}: {new FileInfo(modelPath).Length:N0} bytes (.keras), {new FileInfo(weightsPath).Length:N0} bytes (.weights.h5).");
Console.WriteLine($"Test accuracy of the loaded model (first 1000 test images): {Accuracy(loaded.Predict(xCheck), yTest):P1}");
return 0;

static void Report(string how, Tensor expected, Tensor actual)
{
    var a = expected.ToArray();
    var b = actual.ToArray();
    bool identical = a.Length == b.Length && a.AsSpan().SequenceEqual(b);
    float maxDiff = 0;
    for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
    {
        maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - b[i]));
    }

    Console.WriteLine($"{how}: predictions {(identical ? "identical, bit for bit" : $"DIFFER (max |diff| {maxDiff})")}");
}

static double Accuracy(Tensor probabilities, int[] labels)
{
    var p = probabilities.ToArray();
    int classes = probabilities.Shape[1], correct = 0;
    for (int r = 0; r < probabilities.Shape[0]; r++)
    {
        int best = 0;
        for (int c = 1; c < classes; c++)
        {
            if (p[(r * classes) + c] > p[(r * classes) + best])
            {
                best = c;
            }
        }

        correct += best == labels[r] ? 1 : 0;
    }

    return (double)correct / probabilities.Shape[0];
}
