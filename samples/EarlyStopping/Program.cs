// Lesson: EarlyStopping. What to monitor and in which direction: val_loss (min), val_accuracy (max), and
// val_accuracy with the wrong mode "min". Then why loss is a poor monitor once an L2 penalty is part of it.
//   dotnet run -c Release --project samples/EarlyStopping [-- --quick] [--out DIR] [--epochs N]
using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Plotting;
using KerasNotes.Regularizers;
using KerasNotes.Samples;

var options = LessonOptions.Parse(args, "EarlyStopping");
if (options is null)
{
    return 2;
}

var clock = Stopwatch.StartNew();

int trainCount = options.Quick ? 2000 : 10000;
int valCount = options.Quick ? 1000 : 5000;
int maxEpochs = options.EpochsOr(full: 30, quick: 4);
int patience = options.Quick ? 1 : 3;
const double L2Factor = 1e-3;

var ((xAll, yAll), (xTestAll, yTest)) = FashionMnist.Load();
var x = Ops.Reshape(xAll / 255f, -1, 784);
var xTrain = x.SliceRows(0, trainCount);
var xVal = x.SliceRows(trainCount, valCount);
var xTest = Ops.Reshape(xTestAll / 255f, -1, 784);
int[] yTrain = yAll[..trainCount];
var yVal = Tensor.FromLabels(yAll[trainCount..(trainCount + valCount)]);
Console.WriteLine($"train {xTrain.Shape}, validation {xVal.Shape}, test {xTest.Shape}; at most {maxEpochs} epochs, patience {patience}");

// Every run starts from the same seed, so the runs share initial weights and batch order: their curves are the
// same until a callback stops one. Only the stopping rule differs.
Sequential Mlp(Regularizer? penalty)
{
    KerasNotes.RandomSeed.Set(42);
    var model = new Sequential(
        new Input(784),
        new Dense(256, activation: "relu", kernelRegularizer: penalty),
        new Dense(128, activation: "relu", kernelRegularizer: penalty),
        new Dense(10, activation: "softmax", kernelRegularizer: penalty));
    model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
    return model;
}

var results = new List<(string Name, EarlyStopping Stop, History History, double TestAccuracy)>();

(EarlyStopping Stop, History History) Run(string name, string file, Regularizer? penalty, EarlyStopping stop, params Callback[] more)
{
    Console.WriteLine($"\n== {name}: EarlyStopping(monitor: \"{stop.Monitor}\", mode: \"{stop.Mode}\", patience: {stop.Patience}, restoreBestWeights: true) ==");
    var model = Mlp(penalty);
    var history = model.Fit(xTrain, yTrain, batchSize: 128, epochs: maxEpochs, verbose: 2,
                            validationData: (xVal, yVal), callbacks: [stop, .. more]);
    double test = model.Evaluate(xTest, yTest, batchSize: 1000)["accuracy"];
    results.Add((name, stop, history, test));
    history.PlotTo(options.OutPath(file), metrics: ["loss", "val_loss", "accuracy", "val_accuracy"], earlyStopping: stop,
                   title: $"{name}: monitor {stop.Monitor}, mode \"{stop.Mode}\"");
    return (stop, history);
}

EarlyStopping Stopper(string monitor, string mode) =>
    new(monitor: monitor, mode: mode, patience: patience, restoreBestWeights: true, verbose: 1);

// 1-3: the same model, three rules. val_accuracy with mode "min" treats the worst epoch as the best one.
Run("val_loss, min", "early_stopping_val_loss_min.png", null, Stopper("val_loss", "min"));
Run("val_accuracy, max", "early_stopping_val_accuracy_max.png", null, Stopper("val_accuracy", "max"));
Run("val_accuracy, min (wrong)", "early_stopping_val_accuracy_min_wrong.png", null, Stopper("val_accuracy", "min"));

// 4-5: an L2-regularised model. Keras adds the penalty to loss and to val_loss, and the penalty keeps shrinking as
// the optimiser pulls the weights down, so val_loss can keep "improving" while val_accuracy has stopped.
var l2 = new L2(L2Factor);
var penalty = new List<double>();
LambdaCallback? tracer = null;
tracer = new LambdaCallback(onEpochEnd: (_, _) => penalty.Add(L2Penalty(tracer!.Model!, l2)));
var (l2Stop, l2History) = Run($"L2({L2Factor}), val_loss, min", "early_stopping_l2_val_loss.png", l2, Stopper("val_loss", "min"), tracer);
Run($"L2({L2Factor}), val_accuracy, max", "early_stopping_l2_val_accuracy.png", l2, Stopper("val_accuracy", "max"));

// What val_loss is made of, epoch by epoch: the cross-entropy the task cares about and the penalty on the weights.
double[] l2Epochs = [.. l2History.Epochs.Select(e => e + 1.0)];
var valLoss = l2History["val_loss"];
LineChart.PlotTo(options.OutPath("early_stopping_l2_loss_parts.png"), l2Epochs,
    [
        new LineSeries("val_loss (what EarlyStopping sees)", valLoss),
        new LineSeries("val cross-entropy = val_loss - L2 penalty", [.. valLoss.Select((v, i) => v - penalty[i])]),
        new LineSeries("L2 penalty", penalty),
        new LineSeries("val_accuracy (right axis)", l2History["val_accuracy"], secondaryAxis: true),
    ],
    title: $"L2({L2Factor}): what val_loss is made of", xLabel: "epoch", yLabel: "loss", secondaryYLabel: "val_accuracy",
    width: 1000);

Console.WriteLine($"\nL2 run, epoch by epoch (monitor val_loss; the penalty is part of it):");
Console.WriteLine("epoch  val_loss  L2 penalty  val cross-entropy  val_accuracy");
for (int i = 0; i < valLoss.Count; i++)
{
    Console.WriteLine($"{i + 1,5}  {valLoss[i],8:F4}  {penalty[i],10:F4}  {valLoss[i] - penalty[i],17:F4}  {l2History["val_accuracy"][i],12:F4}");
}

Console.WriteLine($"\nSummary (seed 42, patience {patience}, at most {maxEpochs} epochs; epochs counted from 1)");
Console.WriteLine("run                              ran  stopped at  restored  best monitored  test accuracy (restored)");
foreach (var (name, stop, history, test) in results)
{
    string stopped = stop.StoppedEpoch > 0 ? (stop.StoppedEpoch + 1).ToString() : "-";
    string restored = stop.RestoredEpoch is int r ? (r + 1).ToString() : "-";
    Console.WriteLine($"{name,-31}  {history.Epochs.Count,3}  {stopped,10}  {restored,8}  {stop.Best,14:F4}  {test,24:F4}");
}

Console.WriteLine($"PNGs in {options.OutDir}; {clock.Elapsed.TotalSeconds:F1} s");
return 0;

// The penalty Keras adds to the loss: the regulariser applied to each Dense kernel, summed.
static double L2Penalty(Model model, Regularizer l2) =>
    model.Layers.OfType<Dense>().Sum(d => (double)l2.Call(d.Kernel!.Value).Item());
