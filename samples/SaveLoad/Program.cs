// Save and load with Keras 3's own file formats: train a small Fashion-MNIST classifier, save the whole model
// (.keras) and the weights alone (.weights.h5), load both ways, and check the predictions are identical. Then resume
// training both ways: the whole model continues exactly where it stopped; weights loaded into a freshly built model
// start over with a fresh optimizer, and the loss shows it.
//   dotnet run -c Release --project samples/SaveLoad -- [--samples N] [--epochs N] [--out DIR] [--quick]
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Plotting;
using KerasNotes.Samples;
using KerasNotes.Saving;

// --samples N is this sample's own option; the rest is the lessons' shared command line.
int? samplesArg = null;
var rest = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--samples" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0)
    {
        samplesArg = n;
        i++;
    }
    else
    {
        rest.Add(args[i]);
    }
}

var options = LessonOptions.Parse([.. rest], "SaveLoad [--samples N]");
if (options is null)
{
    return 2;
}

const int BatchSize = 64;
// Five epochs by default: the longer Adam has run, the smaller its steps have become, and the more a fresh Adam's
// first full-size steps stand out.
int epochs = options.EpochsOr(full: 5, quick: 2);
int resumeEpochs = options.Quick ? 1 : 2;
KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
int samples = Math.Min(samplesArg ?? (options.Quick ? 2000 : 6000), xTrain.Shape[0]);
var x = Ops.Reshape(xTrain.SliceRows(0, samples) / 255f, -1, 784);
var y = yTrain[..samples];
var xCheck = Ops.Reshape(xTest.SliceRows(0, 1000) / 255f, -1, 784);

Sequential BuildModel() => new(
    new Input(784),
    new Dense(128, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.2),
    new Dense(10, activation: "softmax"));

void CompileFresh(Model m) => m.Compile(optimizer: new Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

var model = BuildModel();
CompileFresh(model);
Console.WriteLine($"Training on {samples} Fashion-MNIST images for {epochs} epochs...");
var before = new BatchLosses(samples, BatchSize);
model.Fit(x, y, batchSize: BatchSize, epochs: epochs, verbose: 2, callbacks: [before]);
var expected = model.Predict(xCheck);

// 1. The whole model: architecture, weights, compile configuration and optimizer state (Keras model.save). The file
// is Keras 3's own: keras.saving.load_model("fashion.keras") opens it in Python.
string modelPath = options.OutPath("fashion.keras");
model.Save(modelPath);
var loaded = Model.Load(modelPath);
Report("Model.Load(\"fashion.keras\")", expected, loaded.Predict(xCheck));
Console.WriteLine($"  compiled: {loaded.IsCompiled}, optimizer {loaded.Optimizer?.GetType().Name} at step {loaded.Optimizer?.Iterations}");

// 2. Weights only, into a model built by the same code (Keras build_model() + model.load_weights). Loaded before
// Compile, as in the notes' workflow, so the new model gets a fresh optimizer: the architecture and the optimizer
// come from code, only the weights from the file.
string weightsPath = options.OutPath("fashion.weights.h5");
model.SaveWeights(weightsPath);
var rebuilt = BuildModel();
rebuilt.LoadWeights(weightsPath);
Report("BuildModel().LoadWeights(\"fashion.weights.h5\")", expected, rebuilt.Predict(xCheck));
CompileFresh(rebuilt);
Console.WriteLine($"  then Compile: a fresh Adam at step {rebuilt.Optimizer?.Iterations}");

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

// 4. Resume training three ways for the same epochs: the original model, as if it had never stopped; the loaded
// whole model, which carries Adam's moments and step count and the shuffle and Dropout generators, so it retraces
// the original bit for bit; and the rebuilt model, whose fresh Adam starts with zero moments — its first steps
// are full-size steps in every direction, and the loss jumps before it recovers. All three see the batches in the
// same order (shuffle: false), so the curves differ by the optimizer state alone (and the Dropout masks).
Console.WriteLine($"\nResuming for {resumeEpochs} more epochs:");
var resumed = new List<(string Name, Model Model, BatchLosses Losses)>
{
    ("never stopped", model, new BatchLosses(samples, BatchSize)),
    ("Model.Load (.keras)", loaded, new BatchLosses(samples, BatchSize)),
    ("LoadWeights + fresh Adam", rebuilt, new BatchLosses(samples, BatchSize)),
};
foreach (var (name, m, losses) in resumed)
{
    Console.WriteLine(name);
    m.Fit(x, y, batchSize: BatchSize, epochs: epochs + resumeEpochs, initialEpoch: epochs, verbose: 2, callbacks: [losses], shuffle: false);
}

var final = model.Predict(xCheck);
Report("\nModel.Load, then Fit, vs never stopped", final, loaded.Predict(xCheck));
Report("LoadWeights + fresh Adam, then Fit, vs never stopped", final, rebuilt.Predict(xCheck));

// The per-step loss over the last epoch before saving and the epochs after, smoothed over a few steps so that the
// jump stands out from the noise of single batches.
const int Window = 10;
int stepsShown = before.StepsPerEpoch, stepsAfter = resumed[0].Losses.Values.Count;
Console.WriteLine();
Console.WriteLine($"| resumed as | mean loss, first {4 * Window} steps after resuming | last epoch's loss |");
Console.WriteLine("| --- | ---: | ---: |");
foreach (var (name, _, losses) in resumed)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {losses.Values.Take(4 * Window).Average():F4} | {losses.EpochLosses[^1]:F4} |"));
}

double[] x0 = [.. Enumerable.Range(0, stepsShown + stepsAfter).Select(s => epochs - 1 + ((s + 1.0) / before.StepsPerEpoch))];
double[] beforeSmoothed = Smooth([.. before.Values], Window)[^stepsShown..];
LineChart.PlotTo(options.OutPath("resume_loss.png"), x0,
    [
        new LineSeries("before saving", [.. beforeSmoothed, .. Enumerable.Repeat(double.NaN, stepsAfter)]),
        .. resumed.Select(r => new LineSeries(r.Name == "never stopped" ? "never stopped (under Model.Load)" : $"resumed: {r.Name}",
            // Smoothed on from the steps before saving, and joined to the last of them, so the line has no gap.
            [.. Enumerable.Repeat(double.NaN, stepsShown - 1), .. Smooth([.. before.Values, .. r.Losses.Values], Window)[^(stepsAfter + 1)..]])),
    ],
    title: $"Training loss per step, saved after epoch {epochs}", xLabel: "epoch", yLabel: $"loss (mean of {Window} steps)");

Console.WriteLine($"\nFiles in {options.OutDir}: {new FileInfo(modelPath).Length:N0} bytes (.keras), {new FileInfo(weightsPath).Length:N0} bytes (.weights.h5), resume_loss.png.");
Console.WriteLine($"Test accuracy of the loaded model (first 1000 test images): {Accuracy(loaded.Predict(xCheck), yTest):P1}");
return 0;

// The mean of each step and the window−1 steps before it (NaN where they are not all there: drawn as a gap).
static double[] Smooth(double[] values, int window) =>
    [.. values.Select((_, i) => i + 1 < window ? double.NaN : values.Skip(i + 1 - window).Take(window).Average())];

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

/// <summary>
/// The loss of every training step. Keras's batch logs carry the running mean of the epoch so far (what the progress
/// bar prints), weighted by batch size; each step's own loss is recovered from two consecutive means.
/// </summary>
internal sealed class BatchLosses(int samples, int batchSize) : Callback
{
    private double _previousMean;
    private int _seen;

    public int StepsPerEpoch { get; } = (samples + batchSize - 1) / batchSize;

    public List<double> Values { get; } = [];

    public List<double> EpochLosses { get; } = [];

    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null) => (_previousMean, _seen) = (0, 0);

    public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        double mean = logs!["loss"];
        int size = Math.Min(batchSize, samples - _seen);
        Values.Add(((mean * (_seen + size)) - (_previousMean * _seen)) / size);
        (_previousMean, _seen) = (mean, _seen + size);
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null) => EpochLosses.Add(logs!["loss"]);
}
