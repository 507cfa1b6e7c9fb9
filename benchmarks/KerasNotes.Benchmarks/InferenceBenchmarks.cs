using BenchmarkDotNet.Attributes;
using KerasNotes.Models;
using KerasNotes.Optimizers;

namespace KerasNotes.Benchmarks;

/// <summary>W4: Predict on the W1 model at batch 256 over 10,000 samples, and a single-sample PredictOnBatch.</summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private Sequential _model = null!;
    private Tensor _x = null!;
    private Tensor _one = null!;

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.RandomSeed.Set(1);
        _model = Workloads.W1Model(256);
        _model.Compile(new Adam(), "sparse_categorical_crossentropy");
        _x = Tensor.FromArray(Enumerable.Range(0, 10_000 * 784).Select(i => (i % 251) / 251f).ToArray(), 10_000, 784);
        _one = _x.SliceRows(0, 1);
        Threading.IntraOpThreads = Threads;
    }

    [GlobalCleanup]
    public void Cleanup() => Threading.IntraOpThreads = Environment.ProcessorCount;

    [Benchmark]
    public Tensor Predict10kBatch256() => _model.Predict(_x, batchSize: 256);

    [Benchmark]
    public Tensor PredictOneSample() => _model.PredictOnBatch(_one);
}
