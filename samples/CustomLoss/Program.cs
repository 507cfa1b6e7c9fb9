// Custom losses, three ways, as in Keras: a loss function with an extra parameter (focal loss with γ), a Loss
// subclass (label-smoothed crossentropy with ε) and a layer that adds a loss of its own (an activity penalty) — what
// each changes in training, and how each is saved and loaded back through CustomObjects.
//   dotnet run -c Release --project samples/CustomLoss              # 20,000 training images, 10 epochs
//   dotnet run -c Release --project samples/CustomLoss -- --quick   # 3,000 training images, 3 epochs
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Plotting;
using KerasNotes.Samples;
using KerasNotes.Saving;
using KerasNotes.Serialization;

var options = LessonOptions.Parse(args, "CustomLoss");
if (options is null)
{
    return 2;
}

KerasNotes.RandomSeed.Set(42);
int trainCount = options.Quick ? 3_000 : 20_000, testCount = options.Quick ? 1_000 : 10_000;
int epochs = options.EpochsOr(full: 10, quick: 3);
var ((xAll, yAll), (xTestAll, yTestAll)) = FashionMnist.Load();
var x = Ops.Reshape(xAll.SliceRows(0, trainCount) / 255f, -1, 784);
var y = Ops.OneHot(Tensor.FromLabels(yAll[..trainCount]), 10);
var xTest = Ops.Reshape(xTestAll.SliceRows(0, testCount) / 255f, -1, 784);
var yTest = Ops.OneHot(Tensor.FromLabels(yTestAll[..testCount]), 10);
Console.WriteLine($"Fashion-MNIST: {trainCount} training and {testCount} test images, an MLP 784-128-10, {epochs} epochs each.");

// A delegate's extra parameter lives in its closure, which a file cannot hold: the model is saved with the name this
// very delegate instance is registered under (Keras saves a function by its name), and loading needs that name again.
// Unregistered, it would be saved under a compiler-made name such as "<<Main>$>b__15" that nothing can load.
const float Gamma = 2f;
var focal = FocalLoss(Gamma);
CustomObjects.RegisterLoss("focal_loss", focal);

var runs = new (string Name, Func<Sequential> Build, object Loss)[]
{
    ("crossentropy", () => Mlp(), "categorical_crossentropy"),
    ($"focal γ={Gamma}", () => Mlp(), focal),
    ("smoothed ε=0.1", () => Mlp(), new SmoothedCrossentropy(0.1)),
    ("crossentropy + penalty", () => Mlp(new ActivityPenalty(1e-3)), "categorical_crossentropy"),
};
var results = new List<(string Name, Sequential Model, History History, List<double> Norms)>();
foreach (var (name, build, loss) in runs)
{
    Console.WriteLine($"\n{name}");
    var model = build();
    switch (loss)
    {
        case string lossName:
            model.Compile(new Adam(1e-3), lossName, ["accuracy"]);
            break;
        case LossFunction function:
            model.Compile(new Adam(1e-3), function, ["accuracy"]);
            break;
        case Loss instance:
            model.Compile(new Adam(1e-3), instance, ["accuracy"]);
            break;
    }

    // After each epoch, the mean L2 norm of the hidden layer's activations on the test images.
    var norms = new List<double>();
    var recordNorms = new LambdaCallback(onEpochEnd: (_, _) => norms.Add(MeanNorm(model.Layers[0].Apply(xTest))));
    var history = model.Fit(x, y, batchSize: 64, epochs: epochs, verbose: 2, validationData: (xTest, yTest), callbacks: [recordNorms]);
    results.Add((name, model, history, norms));
}

// Saving and loading: the delegate by its registered name (registered above, as register_keras_serializable), the
// Loss subclass and the layer through a CustomObjects for this one load (as custom_objects=). Both factories read their
// settings back from the saved config (ε = "smoothing", the penalty's "rate"), as Keras's from_config does.
var custom = new CustomObjects()
    .AddLoss(nameof(SmoothedCrossentropy), config => new SmoothedCrossentropy(config.GetDouble("smoothing")))
    .AddLayer("ActivityPenalty", ActivityPenalty.FromConfig);
Console.WriteLine();
foreach (var (name, model, _, _) in results)
{
    string path = options.OutPath($"custom_loss_{results.FindIndex(r => r.Model == model)}.keras");
    model.Save(path);
    var loaded = Model.Load(path, custom);
    bool same = model.Predict(xTest).ToArray().AsSpan().SequenceEqual(loaded.Predict(xTest).ToArray());
    double lossBefore = model.Evaluate(xTest, yTest)["loss"], lossAfter = loaded.Evaluate(xTest, yTest)["loss"];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: saved and loaded ({Path.GetFileName(path)}), predictions {(same ? "identical" : "DIFFER")}, test loss {lossBefore:F4} → {lossAfter:F4}"));
}

Console.WriteLine();
Console.WriteLine("| model | final loss | test accuracy | mean confidence | hidden activation norm |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var (name, model, history, norms) in results)
{
    // Mean probability the model gives its predicted class: crossentropy pushes it to 1, focal loss and label
    // smoothing stop pushing once an example is learned.
    double confidence = Ops.Mean(Ops.Max(model.Predict(xTest), axis: -1)).ToArray()[0];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {history["loss"][^1]:F4} | {history["val_accuracy"][^1]:F4} | {confidence:F3} | {norms[^1]:F2} |"));
}

double[] epochAxis = [.. Enumerable.Range(1, epochs).Select(e => (double)e)];
LineChart.PlotTo(options.OutPath("loss_curves.png"), epochAxis, [.. results.Select(r => new LineSeries(r.Name, r.History["loss"]))],
    title: "Training loss: each model's own loss", xLabel: "epoch", yLabel: "loss", logY: true);
LineChart.PlotTo(options.OutPath("val_accuracy.png"), epochAxis, [.. results.Select(r => new LineSeries(r.Name, r.History["val_accuracy"]))],
    title: "Test accuracy", xLabel: "epoch", yLabel: "val_accuracy");
LineChart.PlotTo(options.OutPath("activation_norms.png"), epochAxis, [.. results.Where(r => r.Name.StartsWith("crossentropy", StringComparison.Ordinal))
        .Select(r => new LineSeries(r.Name, r.Norms))],
    title: "Hidden activations: mean L2 norm per image", xLabel: "epoch", yLabel: "‖h‖");
Console.WriteLine($"\nPlots in {options.OutDir}: loss_curves.png, val_accuracy.png, activation_norms.png");
return 0;

static Sequential Mlp(params Layer[] afterHidden) => new(
    [new Input(784), new Dense(128, activation: "relu"), .. afterHidden, new Dense(10, activation: "softmax")]);

// Focal loss (Lin et al. 2017) on one-hot targets: crossentropy with each example weighted by (1 − p)^γ, where p is
// the probability given to the true class, so examples already learned (p near 1) hardly count. γ = 0 is crossentropy.
static LossFunction FocalLoss(float gamma) => (yTrue, yPred) =>
{
    var p = Ops.Clip(yPred, 1e-7f, 1f - 1e-7f);
    return Ops.Sum(-yTrue * Ops.Power(1f - p, gamma) * Ops.Log(p), axis: -1);
};

static double MeanNorm(Tensor h) => Ops.Mean(Ops.Sqrt(Ops.Sum(Ops.Square(h), axis: -1))).ToArray()[0];

/// <summary>
/// Crossentropy against smoothed targets (1 − ε)·y + ε/K: the model is never asked for a probability of exactly 1.
/// As a Loss subclass its parameter is part of its config (GetConfig), which the saved file records.
/// </summary>
internal sealed class SmoothedCrossentropy(double smoothing) : Loss("smoothed_crossentropy")
{
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var target = (yTrue * (float)(1 - smoothing)) + (float)(smoothing / yTrue.Shape[yTrue.Shape.Rank - 1]);
        return Ops.Sum(-target * Ops.Log(Ops.Clip(yPred, 1e-7f, 1f)), axis: -1);
    }

    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["smoothing"] = smoothing;
        return config;
    }
}

/// <summary>
/// Passes its input through and adds rate · mean squared L2 norm of it to the model's loss (Keras add_loss): the
/// layer before it is pushed towards small activations.
/// </summary>
// The parameters are doubles (Python floats) so that the saved config reads 0.001, not float32's 0.0010000000474974513.
internal sealed class ActivityPenalty(double rate, string? name = null) : Layer(name)
{
    public static ActivityPenalty FromConfig(ObjectConfig config) => new(config.GetDouble("rate"), config.Name);

    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["rate"] = rate;
        return config;
    }

    protected override Tensor Call(Tensor inputs, bool training)
    {
        AddLoss((float)rate * Ops.Mean(Ops.Sum(Ops.Square(inputs), axis: -1)));
        return inputs;
    }
}
