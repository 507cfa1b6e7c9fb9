// Lesson: Dropout. A wide MLP overfits a small training set; Dropout(0.5) narrows the train/val gap.
// Then dropout read as an ensemble: averaging N thinned networks (training: true) ≈ the one weight-scaled network.
//   dotnet run -c Release --project samples/Dropout [-- --quick] [--out DIR] [--epochs N]
using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Plotting;
using KerasNotes.Samples;

var options = LessonOptions.Parse(args, "Dropout");
if (options is null)
{
    return 2;
}

var clock = Stopwatch.StartNew();
KerasNotes.RandomSeed.Set(42);

// A small training subset is what makes a wide network overfit; validation comes from the rest of the training set,
// and the test set is kept for the ensemble comparison.
int trainCount = options.Quick ? 1000 : 5000;
int valCount = options.Quick ? 1000 : 5000;
int testCount = options.Quick ? 2000 : 10000;
int epochs = options.EpochsOr(full: 30, quick: 3);
int width = options.Quick ? 256 : 512;

var ((xAll, yAll), (xTestAll, yTestAll)) = FashionMnist.Load();
var x = Flat(xAll);
var xTrain = x.SliceRows(0, trainCount);
var xVal = x.SliceRows(trainCount, valCount);
var xTest = Flat(xTestAll).SliceRows(0, testCount);
int[] yTrain = yAll[..trainCount];
int[] yVal = yAll[trainCount..(trainCount + valCount)];
int[] yTest = yTestAll[..testCount];
Console.WriteLine($"train {xTrain.Shape}, validation {xVal.Shape}, test {xTest.Shape}; hidden width {width}, {epochs} epochs");

Sequential Mlp(double dropout)
{
    var layers = new List<Layer> { new Input(784) };
    for (int i = 0; i < 2; i++)
    {
        layers.Add(new Dense(width, activation: "relu"));
        if (dropout > 0)
        {
            layers.Add(new Dropout(dropout));
        }
    }

    layers.Add(new Dense(10, activation: "softmax"));
    var model = new Sequential(layers);
    model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
    return model;
}

var histories = new Dictionary<string, History>();
var models = new Dictionary<string, Sequential>();
foreach (var (name, rate) in new[] { ("no dropout", 0.0), ("dropout 0.5", 0.5) })
{
    Console.WriteLine($"\n== {name} ==");
    var model = Mlp(rate);
    histories[name] = model.Fit(xTrain, yTrain, batchSize: 128, epochs: epochs, verbose: 2,
                                validationData: (xVal, Tensor.FromLabels(yVal)));
    models[name] = model;
}

// Picture 1: train and val loss of both runs on one chart; the gap between each pair is the overfitting.
double[] epochAxis = [.. Enumerable.Range(1, epochs).Select(e => (double)e)];
LineChart.PlotTo(options.OutPath("dropout_loss_curves.png"), epochAxis,
    [
        // One colour per network: training loss solid, validation loss dashed; the gap is what dropout narrows.
        new LineSeries("no dropout: loss", histories["no dropout"]["loss"], color: "C0"),
        new LineSeries("no dropout: val_loss", histories["no dropout"]["val_loss"], color: "C0", dashed: true),
        new LineSeries("dropout 0.5: loss", histories["dropout 0.5"]["loss"], color: "C1"),
        new LineSeries("dropout 0.5: val_loss", histories["dropout 0.5"]["val_loss"], color: "C1", dashed: true),
    ],
    title: $"Wide MLP on {trainCount} Fashion-MNIST images: train vs validation loss",
    xLabel: "epoch", yLabel: "sparse categorical cross-entropy");

// The ensemble view. Normal inference (training: false) runs the full network; inverted dropout already scaled the
// kept activations by 1/(1-rate) during training, so no weight scaling is needed here. Monte-Carlo dropout instead
// samples N thinned networks and averages their softmax outputs.
var dropoutModel = models["dropout 0.5"];
var scaled = dropoutModel.Predict(xTest, batchSize: 1000);
double scaledAccuracy = Accuracy(scaled, yTest);
double plainAccuracy = Accuracy(models["no dropout"].Predict(xTest, batchSize: 1000), yTest);

int[] ensembleSizes = options.Quick ? [1, 2, 5, 10] : [1, 2, 5, 10, 20, 50];
var mcAccuracy = new List<double>();
var mcGap = new List<double>();
var sum = Tensor.Zeros(scaled.Shape);
int drawn = 0;
Console.WriteLine("\nMonte-Carlo dropout on the test set (N thinned networks, softmax outputs averaged):");
Console.WriteLine("    N   accuracy   mean |p_MC - p_scaled|");
foreach (int n in ensembleSizes)
{
    for (; drawn < n; drawn++)
    {
        sum += dropoutModel.Apply(xTest, training: true);
    }

    var mean = sum * (1f / n);
    mcAccuracy.Add(Accuracy(mean, yTest));
    mcGap.Add(Ops.Mean(Ops.Abs(mean - scaled)).Item());
    Console.WriteLine($"{n,5}   {mcAccuracy[^1],8:F4}   {mcGap[^1],10:F5}");
}

// Picture 2: ensemble accuracy against N, with the single weight-scaled network as a flat line.
LineChart.PlotTo(options.OutPath("dropout_mc_vs_scaled.png"), [.. ensembleSizes.Select(n => (double)n)],
    [
        new LineSeries("Monte-Carlo average of N thinned nets", mcAccuracy),
        new LineSeries("weight-scaled net (normal inference)", [.. ensembleSizes.Select(_ => scaledAccuracy)]),
        new LineSeries("no-dropout net", [.. ensembleSizes.Select(_ => plainAccuracy)]),
    ],
    title: "Dropout as an ensemble: test accuracy", xLabel: "N (thinned networks averaged)", yLabel: "test accuracy");

// Picture 3: the side-by-side bars.
double singleThinned = mcAccuracy[0];
BarChart.PlotTo(options.OutPath("dropout_test_accuracy.png"),
    ["no dropout", "one thinned net", $"MC average, N={ensembleSizes[^1]}", "weight-scaled net"],
    [plainAccuracy, singleThinned, mcAccuracy[^1], scaledAccuracy],
    title: "Test accuracy", yLabel: "test accuracy", valueFormat: "0.0000");

Console.WriteLine("\nSummary (seed 42)");
Console.WriteLine("model          final loss  final val_loss  gap (val - train)  min val_loss (epoch)");
foreach (var (name, h) in histories)
{
    var val = h["val_loss"];
    int best = val.ToList().IndexOf(val.Min());
    Console.WriteLine($"{name,-13}  {h["loss"][^1],10:F4}  {val[^1],14:F4}  {val[^1] - h["loss"][^1],17:F4}  {val[best],12:F4} ({best + 1})");
}

Console.WriteLine($"test accuracy: no dropout {plainAccuracy:F4}; dropout: weight-scaled {scaledAccuracy:F4}, " +
                  $"one thinned net {singleThinned:F4}, MC average of {ensembleSizes[^1]} {mcAccuracy[^1]:F4}");
Console.WriteLine($"PNGs in {options.OutDir}; {clock.Elapsed.TotalSeconds:F1} s");
return 0;

static Tensor Flat(Tensor images) => Ops.Reshape(images / 255f, -1, 784);

static double Accuracy(Tensor probabilities, int[] labels)
{
    var predicted = Ops.ArgMax(probabilities, axis: -1).ToArray();
    int correct = 0;
    for (int i = 0; i < labels.Length; i++)
    {
        correct += (int)predicted[i] == labels[i] ? 1 : 0;
    }

    return (double)correct / labels.Length;
}
