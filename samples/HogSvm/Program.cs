// The classic image pipeline, the Keras way: hand-made features (grey-level histogram, Sobel magnitude, HOG), then a
// linear SVM — a Dense(10) layer trained by Fit with a hinge loss and an L2 penalty — on Fashion-MNIST.
//   dotnet run -c Release --project samples/HogSvm              # full run (60,000 training images)
//   dotnet run -c Release --project samples/HogSvm -- --quick   # 10,000 training images, fewer epochs
using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Regularizers;
using KerasNotes.Vision;

bool quick = false;
int epochs = 0;
string loss = "squared_hinge";
string? only = null;
double learningRate = 1e-3;
double c = 1.0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0:
            epochs = e;
            i++;
            break;
        case "--loss" when i + 1 < args.Length && args[i + 1] is "squared_hinge" or "categorical_hinge":
            loss = args[++i];
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i];
            break;
        case "--lr" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) && lr > 0:
            learningRate = lr;
            i++;
            break;
        case "--c" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double cc) && cc > 0:
            c = cc;
            i++;
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: HogSvm [--quick] [--epochs N] [--loss squared_hinge|categorical_hinge] [--c C] [--lr LR] [--only NAME]");
            return 2;
    }
}

epochs = epochs > 0 ? epochs : quick ? 5 : 20;
KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
if (quick)
{
    xTrain = xTrain.SliceRows(0, 10_000);
    yTrain = yTrain[..10_000];
}

int n = xTrain.Shape[0];
Console.WriteLine($"Fashion-MNIST: {n} training and {xTest.Shape[0]} test images of 28×28; linear SVM = Dense(10) + {loss} + L2, C = {c}, {epochs} epochs.");

// Each feature maps a batch of images [n, 28, 28] (grey levels 0…255) to [n, features]. Pixels and Sobel magnitudes
// are only brought near 0…1 and HOG is normalised per block already; standardising them (zero mean, unit variance per
// feature) made the SVM worse here (it blows up the nearly constant background), but the 16 histogram counts, of very
// different sizes, need it.
var features = new (string Name, Func<Tensor, Tensor> Compute, bool Standardize)[]
{
    ("pixels / 255 (no features)", x => Ops.Reshape(x / 255f, -1, 784), false),
    ("histogram, 16 bins", x => ImageFeatures.Histogram(x, bins: 16), true),
    ("Sobel magnitude / 1020", x => Ops.Reshape(ImageFeatures.SobelMagnitude(x) / 1020f, -1, 784), false),
    ("HOG 7×7 cells, 1×1 blocks, L1", x => ImageFeatures.Hog(x, orientations: 9, pixelsPerCell: 7, cellsPerBlock: 1, blockNorm: "L1"), false),
    ("HOG 4×4 cells, 2×2 blocks, L2-Hys", x => ImageFeatures.Hog(x, orientations: 9, pixelsPerCell: 4, cellsPerBlock: 2, blockNorm: "L2-Hys"), false),
};

var yTrainHot = Ops.OneHot(Tensor.FromLabels(yTrain), 10);
var yTestHot = Ops.OneHot(Tensor.FromLabels(yTest), 10);
var rows = new List<string>();
foreach (var (name, compute, standardize) in features)
{
    if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        continue;
    }

    var clock = Stopwatch.StartNew();
    var fTrain = compute(xTrain);
    var fTest = compute(xTest);
    double featureSeconds = clock.Elapsed.TotalSeconds;

    // As scikit-learn's StandardScaler: zero mean and unit variance per feature, with the training set's statistics.
    if (standardize)
    {
        (fTrain, fTest) = Standardize(fTrain, fTest);
    }

    // LinearSVC minimises ½‖w‖² + C·Σᵢ loss; Keras minimises mean loss + λ‖w‖². Dividing the first by C·n gives
    // λ = 1 / (2·C·n); squared_hinge also averages over the 10 one-vs-rest problems, hence the extra 1/10 there.
    double lambda = 1.0 / (2 * c * n * (loss == "squared_hinge" ? 10 : 1));
    var svm = new Sequential(
        new Input(fTrain.Shape[1]),
        new Dense(10, kernelRegularizer: new L2(lambda)));
    svm.Compile(new Adam(learningRate: learningRate), loss, ["accuracy"]);
    clock.Restart();
    svm.Fit(fTrain, yTrainHot, batchSize: 128, epochs: epochs, verbose: 0);
    double trainSeconds = clock.Elapsed.TotalSeconds;
    var scores = svm.Evaluate(fTest, yTestHot, batchSize: 1024, verbose: 0);
    string row = string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {fTrain.Shape[1]} | {scores["accuracy"]:F4} | {featureSeconds:F2} s | {trainSeconds:F1} s |");
    Console.WriteLine(row);
    rows.Add(row);
}

Console.WriteLine();
Console.WriteLine("| features | size | test accuracy | feature time (train + test) | SVM training |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
foreach (var row in rows)
{
    Console.WriteLine(row);
}

return 0;

static (Tensor Train, Tensor Test) Standardize(Tensor train, Tensor test)
{
    var mean = Ops.Mean(train, axis: 0);
    var std = Ops.Sqrt(Ops.Mean(Ops.Square(train - mean), axis: 0)) + 1e-6f;
    return ((train - mean) / std, (test - mean) / std);
}
