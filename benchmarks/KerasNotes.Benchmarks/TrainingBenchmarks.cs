using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

namespace KerasNotes.Benchmarks;

/// <summary>One training step of the W1 and W2 models, and one epoch of the Fashion-MNIST sample model.</summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    /// <summary>Set to 1 (by the dry-run test) to train the epoch benchmark on a small slice of the data.</summary>
    public const string SmokeVariable = "KERASNOTES_BENCHMARK_SMOKE";

    private Sequential _w1 = null!;
    private Sequential _w2 = null!;
    private Tensor _x1 = null!;
    private int[] _y1 = [];
    private Tensor _x2 = null!;
    private Tensor _y2 = null!;
    private Tensor _trainX = null!;
    private int[] _trainY = [];

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.RandomSeed.Set(1);
        _w1 = Workloads.W1Model(256);
        _w1.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
        _x1 = Tensor.FromArray(Enumerable.Range(0, 128 * 784).Select(i => (i % 255) / 255f).ToArray(), 128, 784);
        _y1 = Enumerable.Range(0, 128).Select(i => i % 10).ToArray();
        _y1Tensor = Tensor.FromLabels(_y1);
        _w1.TrainOnBatch(_x1, _y1); // builds the optimizer
        _w2 = Workloads.W2Model();
        _w2.Compile(new Adam(1e-3), "mse");
        var (x2, y2) = Workloads.W2Data();
        _x2 = x2.SliceRows(0, 32);
        _y2 = y2.SliceRows(0, 32);
        _w2.TrainOnBatch(_x2, _y2);
        var ((pixels, labels), _) = FashionMnist.LoadBytes();
        int samples = Environment.GetEnvironmentVariable(SmokeVariable) == "1" ? 1024 : labels.Length;
        var x = new float[samples * 784];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = pixels[i] / 255f;
        }

        _trainX = Tensor.FromArray(x, samples, 784);
        _trainY = labels[..samples];
    }

    private Tensor _y1Tensor = null!;

    /// <summary>One W1 training step (batch 128) as Fit runs it: forward, loss, backward, Adam, metrics.</summary>
    [Benchmark]
    public void W1TrainStep() => _w1.TrainStep(_x1, _y1Tensor, null);

    /// <summary>One W2 training step (batch 32).</summary>
    [Benchmark]
    public void W2TrainStep() => _w2.TrainStep(_x2, _y2, null);

    [Benchmark]
    [IterationCount(3)]
    [WarmupCount(1)]
    [InvocationCount(1)]
    public void FashionMnistEpoch() => _w1.Fit(_trainX, _trainY, batchSize: 128, epochs: 1, verbose: 0);
}
