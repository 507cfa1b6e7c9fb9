using System.Diagnostics;
using System.Globalization;
using KerasNotes;
using KerasNotes.Benchmarks;
using KerasNotes.Callbacks;
using KerasNotes.Optimizers;

// What a fresh process pays when it is the same program as the peer app's P1 and W2 workloads, but compiled ahead
// of time (PublishAot): no JIT, so no warm-up. Prints one JSON object per workload. Run it as docs/performance.md says.
KerasNotes.RandomSeed.Set(0);
Threading.IntraOpThreads = 1;

long t0 = Stopwatch.GetTimestamp();
var model = Workloads.W1Model(256);
var row = Tensor.Zeros(1, 784);
double buildMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
long t1 = Stopwatch.GetTimestamp();
model.Predict(row);
double firstMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
long t2 = Stopwatch.GetTimestamp();
model.Predict(row);
double secondMs = Stopwatch.GetElapsedTime(t2).TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"workload\": \"P1\", \"build_ms\": {buildMs:F2}, \"first_predict_ms\": {firstMs:F2}, \"second_predict_ms\": {secondMs:F3}}}"));

var (x, y) = Workloads.W2Data();
var w2 = Workloads.W2Model();
w2.Compile(new Adam(1e-3), "mse");
var timer = new EpochTimer();
var epochs = timer.Train;
w2.Fit(x, y, batchSize: 32, epochs: 20, verbose: 0, validationSplit: 0.2, callbacks: [timer]);
var sorted = epochs.Order().ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"workload\": \"W2\", \"threads\": 1, \"epoch_seconds\": [{string.Join(", ", epochs.Select(e => e.ToString("F4", CultureInfo.InvariantCulture)))}], \"median_epoch_seconds\": {sorted[sorted.Length / 2]:F4}}}"));

/// <summary>Times each epoch's training part, as the peer app's timer does (no batch hooks, so none are built).</summary>
internal sealed class EpochTimer : Callback
{
    private long _start;

    public List<double> Train { get; } = [];

    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null) => _start = Stopwatch.GetTimestamp();

    public override void OnTestBegin(IDictionary<string, double>? logs = null) => Train.Add(Stopwatch.GetElapsedTime(_start).TotalSeconds);
}
