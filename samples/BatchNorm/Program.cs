// Lesson: BatchNormalization. A deep MLP at a high learning rate, with and without BatchNormalization, and the
// distribution of one hidden layer's pre-activations epoch by epoch (internal covariate shift made visible).
//   dotnet run -c Release --project samples/BatchNorm [-- --quick] [--out DIR] [--epochs N]
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

var options = LessonOptions.Parse(args, "BatchNorm");
if (options is null)
{
    return 2;
}

var clock = Stopwatch.StartNew();
KerasNotes.RandomSeed.Set(42);

const int HiddenLayers = 7;
const int Units = 256;
const int WatchedLayer = 4;            // the hidden layer (1-based) whose pre-activations we follow
const double LearningRate = 0.5;       // high for plain SGD on a 7-layer ReLU net
int trainCount = options.Quick ? 2000 : 15000;
int valCount = options.Quick ? 1000 : 10000;
int epochs = options.EpochsOr(full: 12, quick: 3);

var ((xAll, yAll), (xTestAll, yTestAll)) = FashionMnist.Load();
var xTrain = Ops.Reshape(xAll / 255f, -1, 784).SliceRows(0, trainCount);
var xVal = Ops.Reshape(xTestAll / 255f, -1, 784).SliceRows(0, valCount);
int[] yTrain = yAll[..trainCount];
int[] yVal = yTestAll[..valCount];
var probe = xVal.SliceRows(0, 512);   // a fixed batch: the same images are pushed through the net after every epoch
Console.WriteLine($"train {xTrain.Shape}, validation {xVal.Shape}; {HiddenLayers} hidden layers of {Units}, SGD(learning_rate={LearningRate}), {epochs} epochs");

// Dense without activation, so the pre-activation is a layer output we can read; then (optionally) BatchNormalization
// between the affine map and the ReLU, where the original paper puts it.
Sequential DeepMlp(bool batchNorm)
{
    var layers = new List<Layer> { new Input(784) };
    for (int i = 0; i < HiddenLayers; i++)
    {
        layers.Add(new Dense(Units));
        if (batchNorm)
        {
            layers.Add(new BatchNormalization());
        }

        layers.Add(new Activation("relu"));
    }

    layers.Add(new Dense(10, activation: "softmax"));
    var model = new Sequential(layers);
    model.Compile(new SGD(LearningRate), "sparse_categorical_crossentropy", ["accuracy"]);
    return model;
}

// Runs the probe batch through the layers in order (inference mode: BatchNormalization uses its moving statistics,
// nothing is updated) and returns (mean, std) of the watched layer's Dense output and of the ReLU's input.
static ((double Mean, double Std) Dense, (double Mean, double Std) ReluInput) Watch(Sequential model, Tensor batch)
{
    (double, double) dense = default;
    int relu = 0;
    var h = batch;
    foreach (var layer in model.Layers)
    {
        if (layer is Activation && ++relu == WatchedLayer)
        {
            return (dense, Stats(h));
        }

        h = layer.Apply(h, training: false);
        if (layer is Dense)
        {
            dense = Stats(h);
        }
    }

    throw new InvalidOperationException($"the model has fewer than {WatchedLayer} activation layers");
}

static (double Mean, double Std) Stats(Tensor t) => (Ops.Mean(t).Item(), Ops.Std(t).Item());

var runs = new List<(string Name, History History, List<((double Mean, double Std) Dense, (double Mean, double Std) ReluInput)> Trace)>();
foreach (bool batchNorm in new[] { false, true })
{
    string name = batchNorm ? "with BatchNorm" : "plain";
    Console.WriteLine($"\n== {name} ==");
    var model = DeepMlp(batchNorm);
    var trace = new List<((double, double), (double, double))> { Watch(model, probe) };   // epoch 0: the initial weights
    var watcher = new LambdaCallback(onEpochEnd: (_, _) => trace.Add(Watch(model, probe)));
    var history = model.Fit(xTrain, yTrain, batchSize: 64, epochs: epochs, verbose: 2,
                            validationData: (xVal, Tensor.FromLabels(yVal)), callbacks: [watcher]);
    runs.Add((name, history, trace));
}

double[] epochAxis = [.. Enumerable.Range(1, epochs).Select(e => (double)e)];
LineChart.PlotTo(options.OutPath("batchnorm_loss_curves.png"), epochAxis,
    // One colour per network: training loss solid, validation loss dashed.
    [.. runs.SelectMany((r, i) => new[]
    {
        new LineSeries($"{r.Name}: loss", r.History["loss"], color: $"C{i}"),
        new LineSeries($"{r.Name}: val_loss", r.History["val_loss"], color: $"C{i}", dashed: true),
    })],
    title: $"{HiddenLayers}-layer MLP, SGD learning rate {LearningRate}", xLabel: "epoch", yLabel: "sparse categorical cross-entropy");

// The shift: where the watched layer's pre-activations sit (mean) and how spread they are (std), epoch 0 = before training.
double[] traceAxis = [.. Enumerable.Range(0, epochs + 1).Select(e => (double)e)];
var plain = runs[0].Trace;
var normed = runs[1].Trace;
LineChart.PlotTo(options.OutPath("batchnorm_preactivation_mean.png"), traceAxis,
    [
        new LineSeries("plain: Dense output = ReLU input", [.. plain.Select(t => t.ReluInput.Mean)]),
        new LineSeries("BatchNorm net: Dense output", [.. normed.Select(t => t.Dense.Mean)]),
        new LineSeries("BatchNorm net: ReLU input (after BN)", [.. normed.Select(t => t.ReluInput.Mean)]),
    ],
    title: $"Hidden layer {WatchedLayer}: mean pre-activation on a fixed batch", xLabel: "epoch (0 = initial weights)", yLabel: "mean");
LineChart.PlotTo(options.OutPath("batchnorm_preactivation_std.png"), traceAxis,
    [
        new LineSeries("plain: Dense output = ReLU input", [.. plain.Select(t => t.ReluInput.Std)]),
        new LineSeries("BatchNorm net: Dense output", [.. normed.Select(t => t.Dense.Std)]),
        new LineSeries("BatchNorm net: ReLU input (after BN)", [.. normed.Select(t => t.ReluInput.Std)]),
    ],
    title: $"Hidden layer {WatchedLayer}: std of pre-activations on a fixed batch", xLabel: "epoch (0 = initial weights)", yLabel: "standard deviation");

Console.WriteLine($"\nHidden layer {WatchedLayer} pre-activations on the fixed batch (mean / std):");
Console.WriteLine("epoch  plain ReLU input    BN net Dense output   BN net ReLU input");
for (int e = 0; e <= epochs; e++)
{
    Console.WriteLine($"{e,5}  {plain[e].ReluInput.Mean,7:F3} / {plain[e].ReluInput.Std,-7:F3}   " +
                      $"{normed[e].Dense.Mean,7:F3} / {normed[e].Dense.Std,-7:F3}   {normed[e].ReluInput.Mean,7:F3} / {normed[e].ReluInput.Std,-7:F3}");
}

Console.WriteLine("\nSummary (seed 42)");
Console.WriteLine("model           loss epoch 1  final loss  best val_loss (epoch)  final val_accuracy");
foreach (var (name, h, _) in runs)
{
    var val = h["val_loss"];
    int best = val.ToList().IndexOf(val.Min());
    Console.WriteLine($"{name,-14}  {h["loss"][0],12:F4}  {h["loss"][^1],10:F4}  {val[best],13:F4} ({best + 1,2})  {h["val_accuracy"][^1],18:F4}");
}

Console.WriteLine($"PNGs in {options.OutDir}; {clock.Elapsed.TotalSeconds:F1} s");
return 0;
