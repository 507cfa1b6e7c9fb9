using BenchmarkDotNet.Attributes;
using KerasNotes.Kernels;

namespace KerasNotes.Benchmarks;

/// <summary>W3: the matrix products of the W1 model (forward and both backward shapes) and 1024³, at 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    /// <summary>Shape name: see <see cref="Shapes"/>.</summary>
    [Params("fwd1", "fwd2", "bwd_dw", "bwd_dx", "square1024", "infer256", "gemv1")]
    public string Shape { get; set; } = "fwd1";

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>(m, k, n, transA, transB) of each named product, as in benchmarks/peers.</summary>
    public static (int M, int K, int N, bool TransA, bool TransB) Shapes(string name) => name switch
    {
        "fwd1" => (128, 784, 256, false, false),     // x·W1
        "fwd2" => (128, 256, 128, false, false),     // h1·W2
        "bwd_dw" => (784, 128, 256, true, false),    // xᵀ·dZ1
        "bwd_dx" => (128, 256, 784, false, true),    // dZ1·W1ᵀ
        "infer256" => (256, 784, 256, false, false), // x·W1 at the W4 inference batch
        "gemv1" => (1, 784, 256, false, false),      // x·W1 for one sample (W4 latency)
        _ => (1024, 1024, 1024, false, false),
    };

    [GlobalSetup]
    public void Setup()
    {
        var (m, k, n, _, _) = Shapes(Shape);
        var rng = new System.Random(1);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[m * n];
        Threading.IntraOpThreads = Threads;
    }

    [GlobalCleanup]
    public void Cleanup() => Threading.IntraOpThreads = Environment.ProcessorCount;

    [Benchmark]
    public void Multiply()
    {
        var (m, k, n, ta, tb) = Shapes(Shape);
        Gemm.Multiply(_a, ta ? m : k, ta, _b, tb ? k : n, tb, _c, n, m, n, k, accumulate: false);
    }
}
