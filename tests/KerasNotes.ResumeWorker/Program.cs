// Usage: KerasNotes.ResumeWorker <backupDir> <resultPath> [delayMsPerBatch]
// Trains a seeded model with BackupAndRestore and prints "epoch E batch B" after each training batch,
// so a test can kill it mid-epoch, start it again, and compare the final weights with an uninterrupted run.
using System.Globalization;
using KerasNotes;
using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

string backupDir = args[0];
string resultPath = args[1];
int delay = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;

KerasNotes.RandomSeed.Set(2024);
var data = new float[400 * 16];
var rng = new System.Random(7);
for (int i = 0; i < data.Length; i++)
{
    data[i] = (float)((rng.NextDouble() * 2) - 1);
}

var x = Tensor.FromArray(data, 400, 16);
var labels = Enumerable.Range(0, 400).Select(i => (data[i * 16] + data[(i * 16) + 1] > 0 ? 1 : 0) + (data[(i * 16) + 2] > 0.5f ? 1 : 0)).ToArray();
var model = new Sequential(
    new Input(16),
    new Dense(32, activation: "relu"),
    new BatchNormalization(),
    new Dropout(0.3),
    new Dense(3, activation: "softmax"));
model.Compile(new Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"]);

var progress = new LambdaCallback(onTrainBatchEnd: (batch, _) =>
{
    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch}"));
    Console.Out.Flush();
    if (delay > 0)
    {
        Thread.Sleep(delay);
    }
},
onEpochBegin: (epoch, _) =>
{
    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}"));
    Console.Out.Flush();
});
var backup = new BackupAndRestore(backupDir);
model.Fit(x, labels, batchSize: 20, epochs: 6, verbose: 0, shuffle: true, callbacks: [backup, progress]);
Console.Out.WriteLine(backup.RestoredEpoch is int r ? $"resumed after epoch {r}" : "started fresh");

// Write every weight's raw bits so the test can compare bit for bit.
using var output = new BinaryWriter(File.Create(resultPath));
foreach (var w in model.GetWeights())
{
    foreach (float v in w.ToArray())
    {
        output.Write(v);
    }
}

return 0;
