// Callbacks working together on Fashion-MNIST: EarlyStopping + ReduceLROnPlateau + ModelCheckpoint + CSVLogger.
//   dotnet run -c Release --project samples/Callbacks -- --epochs 15
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

int epochs = 15;
bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick")
    {
        // The CI smoke run: 2 epochs on 5,000 training and 2,000 test images.
        quick = true;
        epochs = 2;
    }
    else if (args[i] == "--epochs" && i + 1 < args.Length
             && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0)
    {
        epochs = e;
        i++;
    }
    else
    {
        Console.Error.WriteLine("Usage: Callbacks [--epochs N] [--quick]");
        return 2;
    }
}

KerasNotes.RandomSeed.Set(7);
var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.Load();
if (quick)
{
    (xTrain, yTrain, xTest, yTest) = (xTrain.SliceRows(0, 5_000), yTrain[..5_000], xTest.SliceRows(0, 2_000), yTest[..2_000]);
}
var x = Ops.Reshape(xTrain / 255f, -1, 784);
var xt = Ops.Reshape(xTest / 255f, -1, 784);

var model = new Sequential(
    new Input(784),
    new Dense(256, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.3),
    new Dense(128, activation: "relu"),
    new Dropout(0.3),
    new Dense(10, activation: "softmax"));
model.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);

string outputDir = Path.Combine(Path.GetTempPath(), "kerasnotes-callbacks-sample");
Directory.CreateDirectory(outputDir);
string bestPath = Path.Combine(outputDir, "best-{epoch:02d}-{val_accuracy:.4f}.keras");
string csvPath = Path.Combine(outputDir, "training.csv");

var checkpoint = new ModelCheckpoint(bestPath, monitor: "val_accuracy", saveBestOnly: true, verbose: 1);
var callbacks = new Callback[]
{
    // The scheduler-like callback comes first, so History and CSVLogger see its "learning_rate" key.
    new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2, verbose: 1, minLr: 1e-5),
    new EarlyStopping(monitor: "val_accuracy", patience: 4, restoreBestWeights: true, verbose: 1),
    checkpoint,
    new CSVLogger(csvPath),
};

var history = model.Fit(x, yTrain, batchSize: 128, epochs: epochs, validationSplit: 0.1, callbacks: callbacks);

var scores = model.Evaluate(xt, yTest, batchSize: 512);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Ran {history.Epochs.Count} epochs; best val_accuracy {checkpoint.Best:F4}; restored weights score test accuracy {scores["accuracy"]:F4}."));
Console.WriteLine($"Best model saved to: {checkpoint.LastSavedPath}");
Console.WriteLine($"Per-epoch log (CSV): {csvPath}");
Console.WriteLine($"Learning rates used: {string.Join(", ", history["learning_rate"].Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))}");

// The checkpoint is a Keras 3 .keras file: load it back and check it scores the same.
var best = Model.Load(checkpoint.LastSavedPath!);
var reloaded = best.Evaluate(xt, yTest, batchSize: 512);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reloaded best checkpoint: test accuracy {reloaded["accuracy"]:F4}."));
return 0;
