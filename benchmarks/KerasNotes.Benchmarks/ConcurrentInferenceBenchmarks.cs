using BenchmarkDotNet.Attributes;
using KerasNotes.Models;
using KerasNotes.Optimizers;

namespace KerasNotes.Benchmarks;

/// <summary>
/// Two threads predicting on one W1 model (the web-service case), each making <see cref="CallsPerThread"/> calls:
/// side by side, as the library runs them (each call with its own scratch arena), against the alternative of
/// serialising the calls on one lock. Batch 1 is the latency case, batch 256 the throughput case.
/// </summary>
[MemoryDiagnoser]
public class ConcurrentInferenceBenchmarks
{
    private const int Callers = 2;
    private readonly Lock _gate = new();
    private Sequential _model = null!;
    private Tensor _x = null!;

    [Params(1, 256)]
    public int Batch { get; set; } = 1;

    /// <summary>Calls each thread makes per benchmark invocation.</summary>
    public int CallsPerThread => Batch == 1 ? 2_000 : 40;

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.RandomSeed.Set(1);
        _model = Workloads.W1Model(256);
        _model.Compile(new Adam(), "sparse_categorical_crossentropy");
        _x = Tensor.FromArray(Enumerable.Range(0, Batch * 784).Select(i => (i % 251) / 251f).ToArray(), Batch, 784);
        _model.PredictOnBatch(_x);
    }

    [Benchmark(Baseline = true)]
    public void SideBySide() => OnThreads(() => _model.PredictOnBatch(_x));

    [Benchmark]
    public void Serialised() => OnThreads(() =>
    {
        lock (_gate)
        {
            _model.PredictOnBatch(_x);
        }
    });

    private void OnThreads(Action call)
    {
        var threads = new Thread[Callers];
        int calls = CallsPerThread;
        for (int t = 0; t < Callers; t++)
        {
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < calls; i++)
                {
                    call();
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
