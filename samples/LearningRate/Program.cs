// Lesson: learning-rate schedules. LearningRateScheduler (step decay) vs ReduceLROnPlateau vs a CosineDecay schedule
// on the same model, and ReduceLROnPlateau's algorithm traced epoch by epoch (best, wait, cooldown, lr).
//   dotnet run -c Release --project samples/LearningRate [-- --quick] [--out DIR] [--epochs N]
using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Plotting;
using KerasNotes.Samples;

var options = LessonOptions.Parse(args, "LearningRate");
if (options is null)
{
    return 2;
}

var clock = Stopwatch.StartNew();

const double InitialRate = 0.05;
const int BatchSize = 128;
int trainCount = options.Quick ? 2000 : 20000;
int valCount = options.Quick ? 1000 : 10000;
int epochs = options.EpochsOr(full: 20, quick: 3);
int dropEvery = Math.Max(1, epochs / 4);   // step decay halves the rate four times over the run

var ((xAll, yAll), (xTestAll, yTestAll)) = FashionMnist.Load();
var xTrain = Ops.Reshape(xAll / 255f, -1, 784).SliceRows(0, trainCount);
var xVal = Ops.Reshape(xTestAll / 255f, -1, 784).SliceRows(0, valCount);
int[] yTrain = yAll[..trainCount];
var yVal = Tensor.FromLabels(yTestAll[..valCount]);
Console.WriteLine($"train {xTrain.Shape}, validation {xVal.Shape}; SGD(momentum 0.9) from learning rate {InitialRate}, {epochs} epochs");

// Same seed for every run: the same initial weights and batch order, only the learning rate differs.
Sequential Mlp(Optimizer optimizer)
{
    KerasNotes.RandomSeed.Set(42);
    var model = new Sequential(
        new Input(784),
        new Dense(256, activation: "relu"),
        new Dense(128, activation: "relu"),
        new Dense(10, activation: "softmax"));
    model.Compile(optimizer, "sparse_categorical_crossentropy", ["accuracy"]);
    return model;
}

var runs = new List<(string Name, History History, List<double> Rates)>();
void Run(string name, Optimizer optimizer, params Callback[] callbacks)
{
    Console.WriteLine($"\n== {name} ==");
    var model = Mlp(optimizer);
    // The rate each epoch starts with; listed after the callbacks, so it sees the scheduler's choice for the epoch.
    var rates = new List<double>();
    var recorder = new LambdaCallback(onEpochBegin: (_, _) => rates.Add(model.Optimizer!.LearningRate));
    var history = model.Fit(xTrain, yTrain, batchSize: BatchSize, epochs: epochs, verbose: 2,
                            validationData: (xVal, yVal), callbacks: [.. callbacks, recorder]);
    runs.Add((name, history, rates));
}

// 1. LearningRateScheduler: a function of the epoch, decided before the epoch starts (Keras's step decay).
Run($"step decay (x0.5 every {dropEvery} epochs)", new SGD(InitialRate, momentum: 0.9),
    new LearningRateScheduler(epoch => InitialRate * Math.Pow(0.5, epoch / dropEvery), verbose: 1));

// 2. ReduceLROnPlateau: reacts to the monitored value; the trace below prints its state after every epoch end.
var plateau = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2, cooldown: 2, minLr: 1e-4, verbose: 1);
var trace = new List<string>();
var tracer = new LambdaCallback(onEpochEnd: (epoch, logs) =>
{
    double next = plateau.Model!.Optimizer!.LearningRate;
    string action = next < logs!["learning_rate"] ? "reduce" : "";
    trace.Add($"{epoch + 1,5}  {logs["val_loss"],8:F4}  {plateau.Best,6:F4}  {plateau.Wait,4}  {plateau.CooldownCounter,8}  " +
              $"{logs["learning_rate"],10:G4}  {next,10:G4}  {action}");
});
Run("ReduceLROnPlateau (val_loss, x0.5, patience 2, cooldown 2)", new SGD(InitialRate, momentum: 0.9), plateau, tracer);

// 3. CosineDecay: a schedule inside the optimizer, evaluated at every step (not every epoch).
long totalSteps = (long)epochs * ((trainCount + BatchSize - 1) / BatchSize);
Run("CosineDecay (per step, to 1% at the end)", new SGD(new CosineDecay(InitialRate, totalSteps, alpha: 0.01), momentum: 0.9));

// One figure: val_loss on the left axis, the learning rate on a log-scaled right axis.
double[] epochAxis = [.. Enumerable.Range(1, epochs).Select(e => (double)e)];
string[] shortNames = ["step decay", "ReduceLROnPlateau", "CosineDecay"];
LineChart.PlotTo(options.OutPath("learning_rate_schedules.png"), epochAxis,
    [
        // One colour per schedule: its val_loss solid, its learning rate dashed.
        .. runs.Select((r, i) => new LineSeries($"{shortNames[i]}: val_loss", r.History["val_loss"], color: $"C{i}")),
        .. runs.Select((r, i) => new LineSeries($"{shortNames[i]}: learning rate", r.Rates, secondaryAxis: true, color: $"C{i}", dashed: true)),
    ],
    title: "Learning rate (right, log scale) and val_loss (left) per epoch",
    xLabel: "epoch", yLabel: "val_loss", secondaryYLabel: "learning rate at epoch start", logSecondaryY: true, width: 1000);

Console.WriteLine("\nReduceLROnPlateau trace (state after each epoch end; Keras decrements cooldown before the check):");
Console.WriteLine("epoch  val_loss    best  wait  cooldown     lr used     lr next");
trace.ForEach(Console.WriteLine);

Console.WriteLine("\nSummary (seed 42)");
Console.WriteLine("schedule           best val_loss (epoch)  final val_loss  final val_accuracy  final lr");
for (int i = 0; i < runs.Count; i++)
{
    var (_, h, rates) = runs[i];
    var val = h["val_loss"];
    int best = val.ToList().IndexOf(val.Min());
    Console.WriteLine($"{shortNames[i],-17}  {val[best],13:F4} ({best + 1,2})  {val[^1],14:F4}  {h["val_accuracy"][^1],18:F4}  {rates[^1],8:G3}");
}

Console.WriteLine($"PNGs in {options.OutDir}; {clock.Elapsed.TotalSeconds:F1} s");
return 0;
