// A functional model with two inputs and two outputs, on Fashion-MNIST. In go the image and a noisy "hint" — metadata
// from elsewhere saying whether the item is a shirt, the class the pixels confuse most (with T-shirts, pullovers and
// coats); out come the category (10 classes) and an "is footwear" probability. The lesson: a graph, not a stack — two
// branches joined by Concatenate, two heads trained together with a loss each (weighted), logs named after the heads,
// and a check of what each input contributes to each head by scrambling it at test time.
//   dotnet run -c Release --project samples/Functional -- [--epochs N] [--out DIR] [--quick]
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Plotting;
using KerasNotes.Samples;

var options = LessonOptions.Parse(args, "Functional");
if (options is null)
{
    return 2;
}

KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
int trainCount = options.Quick ? 3_000 : xTrain.Shape[0], testCount = options.Quick ? 1_000 : xTest.Shape[0];
int epochs = options.EpochsOr(full: 6, quick: 2);
var images = Ops.Reshape(xTrain.SliceRows(0, trainCount) / 255f, -1, 28, 28, 1);
var labels = yTrain[..trainCount];
var testImages = Ops.Reshape(xTest.SliceRows(0, testCount) / 255f, -1, 28, 28, 1);
var testLabels = yTest[..testCount];

// Footwear in Fashion-MNIST: 5 sandal, 7 sneaker, 9 ankle boot. The hint is "is it a shirt (class 6)" plus Gaussian
// noise (σ = 0.4), so thresholded at 0.5 it is right about 90% of the time: it knows what the pixels blur, but it is
// not to be trusted blindly.
const float HintNoise = 0.4f;
var noise = new Random(7);
float[] IsFootwear(int[] y) => Array.ConvertAll(y, c => c is 5 or 7 or 9 ? 1f : 0f);
float[] Hints(int[] y) => Array.ConvertAll(y, c => (c == 6 ? 1f : 0f) + (HintNoise * Gaussian(noise)));
float[] footwear = IsFootwear(labels), testFootwear = IsFootwear(testLabels);
var hints = Tensor.FromArray(Hints(labels), trainCount, 1);
var testHints = Tensor.FromArray(Hints(testLabels), testCount, 1);

// The graph: each input gets its own branch, Concatenate joins them, and two heads read the joint features.
var image = Keras.Input(shape: [28, 28, 1], name: "image");
var hint = Keras.Input(shape: [1], name: "hint");
var x = new Conv2D(16, 3, activation: "relu").Apply(image);
x = new MaxPooling2D(2).Apply(x);
x = new Conv2D(32, 3, activation: "relu").Apply(x);
x = new MaxPooling2D(2).Apply(x);
x = new Flatten().Apply(x);
var imageFeatures = new Dense(64, activation: "relu", name: "image_features").Apply(x);
var hintFeatures = new Dense(4, activation: "relu", name: "hint_features").Apply(hint);
var joint = new Concatenate(name: "joint").Apply([imageFeatures, hintFeatures]);
joint = new Dense(64, activation: "relu").Apply(joint);
var category = new Dense(10, activation: "softmax", name: "category").Apply(joint);
var isFootwear = new Dense(1, activation: "sigmoid", name: "footwear").Apply(joint);
var model = new Model([image, hint], [category, isFootwear], name: "fashion_two_heads");

// A loss per head, by output name; the footwear head's loss counts half. Metrics per head too.
model.Compile(
    optimizer: "adam",
    loss: new Dictionary<string, LossSpec> { ["category"] = "sparse_categorical_crossentropy", ["footwear"] = "binary_crossentropy" },
    lossWeights: new Dictionary<string, double> { ["category"] = 1.0, ["footwear"] = 0.5 },
    metrics: new Dictionary<string, OutputMetrics> { ["category"] = "accuracy", ["footwear"] = "accuracy" });
model.Summary();

// Inputs and targets in the model's order (by name works too: a Dictionary<string, ArrayLike> keyed "image", "hint").
// EarlyStopping watches one head's log, named as Keras names it.
var earlyStopping = new EarlyStopping(monitor: "val_category_accuracy", patience: 2, restoreBestWeights: true);
var history = model.Fit([images, hints], [labels, footwear], batchSize: 64, epochs: epochs, validationSplit: 0.1,
    verbose: 2, callbacks: [earlyStopping]);

var scores = model.Evaluate([testImages, testHints], [testLabels, testFootwear]);
Console.WriteLine();
Console.WriteLine($"Test: category accuracy {scores["category_accuracy"]:F3}, footwear accuracy {scores["footwear_accuracy"]:F3} " +
                  $"(loss {scores["loss"]:F3} = {scores["category_loss"]:F3} + 0.5 × {scores["footwear_loss"]:F3})");

// What does each input contribute? Scramble one input across the test set (same values, wrong rows) and see which
// head suffers.
var isShirt = Array.ConvertAll(testLabels, c => c == 6 ? 1f : 0f);
var hintsOnly = Accuracy(Array.ConvertAll(testHints.ToArray(), h => h > 0.5f ? 1f : 0f), isShirt);
var shuffledHints = Shuffle(testHints, new Random(11));
var shuffledImages = Shuffle(testImages, new Random(12));
var noHint = model.Evaluate([testImages, shuffledHints], [testLabels, testFootwear]);
var noImage = model.Evaluate([shuffledImages, testHints], [testLabels, testFootwear]);
double shirts = ShirtAccuracy(model.Predict([testImages, testHints])[0], testLabels);
double shirtsNoHint = ShirtAccuracy(model.Predict([testImages, shuffledHints])[0], testLabels);
Console.WriteLine($"The hint alone (> 0.5) is right about shirts {hintsOnly:P1} of the time.");
Console.WriteLine($"Hints scrambled:  category {noHint["category_accuracy"]:F3}, footwear {noHint["footwear_accuracy"]:F3}");
Console.WriteLine($"Images scrambled: category {noImage["category_accuracy"]:F3}, footwear {noImage["footwear_accuracy"]:F3}");
Console.WriteLine($"Shirts recognised: {shirts:P1} with their hints, {shirtsNoHint:P1} with scrambled hints.");

string bars = BarChart.PlotTo(options.OutPath("what_each_input_gives.png"),
    ["category, intact", "category, hints scrambled", "category, images scrambled",
     "footwear, intact", "footwear, hints scrambled", "footwear, images scrambled"],
    [scores["category_accuracy"], noHint["category_accuracy"], noImage["category_accuracy"],
     scores["footwear_accuracy"], noHint["footwear_accuracy"], noImage["footwear_accuracy"]],
    title: "Test accuracy of each head when one input is scrambled", yLabel: "accuracy", valueFormat: "0.000", width: 1200);
Console.WriteLine($"Chart: {bars}");

// The functional model saves as Keras 3 writes it (a Functional config) and loads back to the same predictions.
string path = options.OutPath("fashion_two_heads.keras");
model.Save(path);
var loaded = Model.Load(path);
var before = model.Predict([testImages, testHints]);
var after = loaded.Predict([testImages, testHints]);
Console.WriteLine($"Saved to {path} and loaded: predictions {(Same(before, after) ? "identical" : "DIFFERENT")} for both heads.");

string plot = history.PlotTo(options.OutPath("two_heads.png"),
    metrics: ["category_accuracy", "val_category_accuracy", "footwear_accuracy", "val_footwear_accuracy"],
    earlyStopping: earlyStopping, title: "Two heads, trained together");
Console.WriteLine($"Training curves: {plot}");
return 0;

static float Gaussian(Random random)
{
    // Box–Muller: two uniforms make one standard normal draw.
    double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
    return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
}

static double Accuracy(float[] predicted, float[] truth)
{
    int right = 0;
    for (int i = 0; i < truth.Length; i++)
    {
        right += predicted[i] == truth[i] ? 1 : 0;
    }

    return (double)right / truth.Length;
}

static Tensor Shuffle(Tensor rows, Random random)
{
    int n = rows.Shape[0];
    int[] order = [.. Enumerable.Range(0, n)];
    random.Shuffle(order);
    int width = rows.Size / n;
    var source = rows.ToArray();
    var shuffled = new float[source.Length];
    for (int i = 0; i < n; i++)
    {
        Array.Copy(source, order[i] * width, shuffled, i * width, width);
    }

    return Tensor.FromArray(shuffled, rows.Shape.Dims);
}

static double ShirtAccuracy(Tensor probabilities, int[] labels)
{
    // Of the test shirts (class 6), the share whose most probable class is 6.
    var p = probabilities.ToArray();
    int shirts = 0, right = 0;
    for (int i = 0; i < labels.Length; i++)
    {
        if (labels[i] != 6)
        {
            continue;
        }

        shirts++;
        int best = 0;
        for (int c = 1; c < 10; c++)
        {
            best = p[(i * 10) + c] > p[(i * 10) + best] ? c : best;
        }

        right += best == 6 ? 1 : 0;
    }

    return (double)right / Math.Max(1, shirts);
}

static bool Same(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
{
    for (int k = 0; k < a.Count; k++)
    {
        if (!a[k].ToArray().AsSpan().SequenceEqual(b[k].ToArray()))
        {
            return false;
        }
    }

    return a.Count == b.Count;
}
