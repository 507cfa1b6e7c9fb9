// Image classification by hand-made features vs deep learning, on one Fashion-MNIST split: a grey-level histogram,
// Sobel edge magnitudes and HOG, each with a linear SVM, then an MLP and a small CNN that learn their own features.
//   dotnet run -c Release --project samples/ImageClassification              # 60,000 training images (~2 minutes)
//   dotnet run -c Release --project samples/ImageClassification -- --quick   # 4,000 training images (~15 s)
using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Plotting;
using KerasNotes.Regularizers;
using KerasNotes.Samples;
using KerasNotes.Vision;

var options = LessonOptions.Parse(args, "ImageClassification");
if (options is null)
{
    return 2;
}

KerasNotes.RandomSeed.Set(42);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
if (options.Quick)
{
    xTrain = xTrain.SliceRows(0, 4_000);
    yTrain = yTrain[..4_000];
    xTest = xTest.SliceRows(0, 1_000);
    yTest = yTest[..1_000];
}

int svmEpochs = options.EpochsOr(full: 10, quick: 3);
int netEpochs = options.EpochsOr(full: 3, quick: 2);
Console.WriteLine($"Fashion-MNIST: {xTrain.Shape[0]} training and {xTest.Shape[0]} test images of 28×28 " +
                  $"(linear SVMs {svmEpochs} epochs, networks {netEpochs} epochs).");

var results = new List<(string Method, int Features, double Accuracy, double FeatureSeconds, double TrainSeconds)>();

// The classic pipeline: fixed features, then a linear SVM (samples/HogSvm explains the choices). Only the
// histogram's 16 counts, of very different sizes, need standardising.
var handMade = new (string Name, Func<Tensor, Tensor> Compute, bool Standardize)[]
{
    ("histogram + SVM", x => ImageFeatures.Histogram(x, bins: 16), true),
    ("Sobel + SVM", x => Ops.Reshape(ImageFeatures.SobelMagnitude(x) / 1020f, -1, 784), false),
    ("HOG + SVM", x => ImageFeatures.Hog(x, orientations: 9, pixelsPerCell: 4, cellsPerBlock: 2, blockNorm: "L2-Hys"), false),
};
var yTrainHot = Ops.OneHot(Tensor.FromLabels(yTrain), 10);
var yTestHot = Ops.OneHot(Tensor.FromLabels(yTest), 10);
foreach (var (name, compute, standardize) in handMade)
{
    Console.WriteLine($"\n{name}");
    var clock = Stopwatch.StartNew();
    var fTrain = compute(xTrain);
    var fTest = compute(xTest);
    if (standardize)
    {
        (fTrain, fTest) = Standardize(fTrain, fTest);
    }

    double featureSeconds = clock.Elapsed.TotalSeconds;
    var svm = LinearSvm(fTrain.Shape[1], fTrain.Shape[0]);
    clock.Restart();
    svm.Fit(fTrain, yTrainHot, batchSize: 128, epochs: svmEpochs, verbose: 2);
    double trainSeconds = clock.Elapsed.TotalSeconds;
    double accuracy = svm.Evaluate(fTest, yTestHot, batchSize: 1024)["accuracy"];
    results.Add((name, fTrain.Shape[1], accuracy, featureSeconds, trainSeconds));
}

// Deep learning: the networks see the pixels (scaled to 0…1) and learn their own features.
var imagesTrain = Ops.Reshape(xTrain / 255f, -1, 28, 28, 1);
var imagesTest = Ops.Reshape(xTest / 255f, -1, 28, 28, 1);
var mlp = new Sequential(
    new Input(28, 28, 1),
    new Flatten(),
    new Dense(256, activation: "relu"),
    new Dropout(0.2),
    new Dense(10, activation: "softmax"));

// Two conv + batch-norm blocks as in samples/FashionMnistCnn. BatchNormalization's momentum is 0.9, not Keras's 0.99,
// so that its moving mean and variance (what the test set is normalised with) settle within the few dozen steps of
// --quick; with 0.99 they still lean on their initial 0 and 1 there and test accuracy collapses.
var cnn = new Sequential(
    new Input(28, 28, 1),
    new Conv2D(32, kernelSize: 3, padding: "same", activation: "relu"),
    new BatchNormalization(momentum: 0.9),
    new MaxPooling2D(poolSize: 2),
    new Conv2D(64, kernelSize: 3, padding: "same", activation: "relu"),
    new BatchNormalization(momentum: 0.9),
    new MaxPooling2D(poolSize: 2),
    new Flatten(),
    new Dropout(0.3),
    new Dense(128, activation: "relu"),
    new Dense(10, activation: "softmax"));
foreach (var (name, net) in new[] { ("MLP", mlp), ("CNN", cnn) })
{
    Console.WriteLine($"\n{name}");
    net.Compile(new Adam(learningRate: 1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
    var clock = Stopwatch.StartNew();
    net.Fit(imagesTrain, yTrain, batchSize: 128, epochs: netEpochs, verbose: 2);
    double trainSeconds = clock.Elapsed.TotalSeconds;
    double accuracy = net.Evaluate(imagesTest, yTest, batchSize: 1024)["accuracy"];
    results.Add((name, 784, accuracy, 0, trainSeconds));
}

Console.WriteLine();
Console.WriteLine("| method | inputs | test accuracy | features (train + test) | training |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Method} | {r.Features} | {r.Accuracy:F4} | {r.FeatureSeconds:F2} s | {r.TrainSeconds:F1} s |"));
}

string[] methods = [.. results.Select(r => r.Method)];
BarChart.PlotTo(options.OutPath("accuracy.png"), methods, [.. results.Select(r => r.Accuracy)],
    title: "Test accuracy on Fashion-MNIST", yLabel: "test accuracy", valueFormat: "P1");
BarChart.PlotTo(options.OutPath("time.png"), methods, [.. results.Select(r => r.FeatureSeconds + r.TrainSeconds)],
    title: "Time: features + training", yLabel: "seconds", valueFormat: "0.0");

// What HOG sees: each 4×4-pixel cell's orientation histogram drawn as line glyphs, next to the image.
// The descriptor is normalised per cell here (1×1 blocks, L1), as the SVM sees it after block normalisation: a faint
// cell weighs as much as a strong one, and only flat background stays dark.
int[] shown = [9, 2, 1, 8, 5, 6];  // one test image of each of six classes
int[] picks = [.. shown.Select(label => Array.IndexOf(yTest, label))];
var examples = Ops.Take(xTest, picks);
var cells = ImageFeatures.Hog(examples, orientations: 9, pixelsPerCell: 4, cellsPerBlock: 1, blockNorm: "L1");
ImageGrid.PlotTo(options.OutPath("hog_cells.png"), HogPictures(examples, cells, cellsPerSide: 7, orientations: 9, cellPixels: 16),
    captions: [.. picks.SelectMany(i => new[] { FashionMnist.ClassNames[yTest[i]], "HOG cells" })],
    columns: 4, scale: 1, title: "HOG: orientation histogram per 4×4 cell");

// The CNN's first-layer filters: kernel [3, 3, 1, 32] → 32 tiles of 3×3.
var kernel = ((Conv2D)cnn.Layers[0]).Kernel!.Value;
ImageGrid.PlotTo(options.OutPath("cnn_filters.png"), Ops.Transpose(kernel, [3, 0, 1, 2]), columns: 8, scale: 16,
    title: "CNN first-layer 3×3 filters");
Console.WriteLine($"\nPlots in {options.OutDir}: accuracy.png, time.png, hog_cells.png, cnn_filters.png");
return 0;

// A linear SVM the Keras way: Dense(10) with LinearSVC's squared hinge and an L2 penalty λ = 1 / (2·C·n·10), C = 1
// (the 10 because squared_hinge averages over the 10 one-vs-rest problems; see samples/HogSvm).
static Sequential LinearSvm(int features, int n)
{
    var svm = new Sequential(new Input(features), new Dense(10, kernelRegularizer: new L2(1.0 / (2.0 * n * 10))));
    svm.Compile(new Adam(learningRate: 1e-3), "squared_hinge", ["accuracy"]);
    return svm;
}

// As scikit-learn's StandardScaler: zero mean and unit variance per feature, with the training set's statistics.
static (Tensor Train, Tensor Test) Standardize(Tensor train, Tensor test)
{
    var mean = Ops.Mean(train, axis: 0);
    var std = Ops.Sqrt(Ops.Mean(Ops.Square(train - mean), axis: 0)) + 1e-6f;
    return ((train - mean) / std, (test - mean) / std);
}

// Pairs of tiles [2n, side, side]: each image enlarged to the glyph picture's size, then its HOG picture, drawn as
// scikit-image's hog(..., visualize=True) does: in every cell, one line per orientation bin through the centre,
// along the edge (perpendicular to the gradient), as bright as that bin's share of the cell's gradient.
static Tensor HogPictures(Tensor images, Tensor cells, int cellsPerSide, int orientations, int cellPixels)
{
    int n = images.Shape[0], imageSide = images.Shape[1], side = cellsPerSide * cellPixels;
    var pixels = images.ToArray();
    var histograms = cells.ToArray();
    var tiles = new float[2 * n * side * side];
    for (int i = 0; i < n; i++)
    {
        var photo = tiles.AsSpan(2 * i * side * side, side * side);
        var glyphs = tiles.AsSpan(((2 * i) + 1) * side * side, side * side);
        for (int r = 0; r < side; r++)
        {
            for (int c = 0; c < side; c++)
            {
                photo[(r * side) + c] = pixels[(i * imageSide * imageSide) + (r * imageSide / side * imageSide) + (c * imageSide / side)];
            }
        }

        double radius = (cellPixels / 2.0) - 1;
        for (int cr = 0; cr < cellsPerSide; cr++)
        {
            for (int cc = 0; cc < cellsPerSide; cc++)
            {
                double centreRow = (cr + 0.5) * cellPixels, centreCol = (cc + 0.5) * cellPixels;
                for (int o = 0; o < orientations; o++)
                {
                    float value = histograms[(((i * cellsPerSide) + cr) * cellsPerSide + cc) * orientations + o];
                    double angle = Math.PI * (o + 0.5) / orientations;
                    double dRow = radius * Math.Cos(angle), dCol = -radius * Math.Sin(angle);
                    DrawLine(glyphs, side, centreRow - dRow, centreCol - dCol, centreRow + dRow, centreCol + dCol, value);
                }
            }
        }
    }

    return Tensor.FromArray(tiles, 2 * n, side, side);
}

// Adds value to every pixel the segment crosses, each pixel once (as skimage.draw.line does).
static void DrawLine(Span<float> image, int side, double r0, double c0, double r1, double c1, float value)
{
    int steps = (int)Math.Ceiling(2 * Math.Max(Math.Abs(r1 - r0), Math.Abs(c1 - c0))) + 1;
    int last = -1;
    for (int s = 0; s <= steps; s++)
    {
        double t = (double)s / steps;
        int r = (int)(r0 + (t * (r1 - r0))), c = (int)(c0 + (t * (c1 - c0)));
        int at = (r * side) + c;
        if (r >= 0 && r < side && c >= 0 && c < side && at != last)
        {
            image[at] += value;
            last = at;
        }
    }
}
