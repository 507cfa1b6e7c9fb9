using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using KerasNotes.Kernels;

namespace KerasNotes.Benchmarks;

/// <summary>
/// The machine's ceiling for float32 FMA: twelve independent FMA chains in registers, no memory traffic, on 1 and
/// 2 threads. One call is <see cref="Flop"/> floating-point operations, so GFLOP/s = Flop / mean time; no GEMM
/// can beat it. (On the AMD EPYC of the README, 256-bit FMAs reach the same rate as these 512-bit ones.)
/// </summary>
public class FmaPeakBenchmarks
{
    /// <summary>Loop iterations per thread and call.</summary>
    public const long Iterations = 1_000_000;

    // 12 chains × 16 lanes × 2 operations (multiply and add) per iteration, on each thread.
    private const long FlopPerIteration = 12 * 16 * 2;

    private readonly FmaJob _job = new();

    /// <summary>Threads running the chains at once.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Floating-point operations of one call.</summary>
    public long Flop => Iterations * FlopPerIteration * Threads;

    /// <summary>Sets the thread count.</summary>
    [GlobalSetup]
    public void Setup() => Threading.IntraOpThreads = Threads;

    /// <summary>Restores the default thread count.</summary>
    [GlobalCleanup]
    public void Cleanup() => Threading.IntraOpThreads = Environment.ProcessorCount;

    /// <summary>Runs <see cref="Iterations"/> iterations of the chains on each thread.</summary>
    [Benchmark]
    public float FmaChains()
    {
        WorkerPool.Shared.Run(_job, Threads);
        return _job.Sink;
    }

    private sealed class FmaJob : ParallelJob
    {
        public float Sink;

        public override void Run(int part, int parts)
        {
            float r = Chains(Iterations);
            if (part == 0)
            {
                Sink = r;
            }
        }

        // Twelve accumulators cover the FMA latency (4 cycles) times the two FMA pipes with room to spare.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Chains(long iterations)
        {
            var a = Vector512.Create(1.0000001f);
            var b = Vector512.Create(0.9999999f);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector512.FusedMultiplyAdd(a, b, c0);
                c1 = Vector512.FusedMultiplyAdd(a, b, c1);
                c2 = Vector512.FusedMultiplyAdd(a, b, c2);
                c3 = Vector512.FusedMultiplyAdd(a, b, c3);
                c4 = Vector512.FusedMultiplyAdd(a, b, c4);
                c5 = Vector512.FusedMultiplyAdd(a, b, c5);
                c6 = Vector512.FusedMultiplyAdd(a, b, c6);
                c7 = Vector512.FusedMultiplyAdd(a, b, c7);
                c8 = Vector512.FusedMultiplyAdd(a, b, c8);
                c9 = Vector512.FusedMultiplyAdd(a, b, c9);
                c10 = Vector512.FusedMultiplyAdd(a, b, c10);
                c11 = Vector512.FusedMultiplyAdd(a, b, c11);
            }

            return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
        }
    }
}
