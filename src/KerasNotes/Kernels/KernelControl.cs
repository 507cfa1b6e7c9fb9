using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>Which instruction set a kernel uses; tests force each one to compare the paths.</summary>
internal enum SimdLevel
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// The one place that says how kernels run (Math.NET's <c>Control</c>): the instruction set, the thread count and
/// the sizes above which work is split over threads. Every kernel reads these; none keeps a switch of its own.
/// <para>Every kernel method that loops carries <c>[MethodImpl(MethodImplOptions.AggressiveOptimization)]</c>: the
/// runtime's tiered JIT would otherwise run it as unoptimised tier-0 code (then on-stack replacement, then an
/// instrumented tier) for the first seconds of a process, and a short training spends most of its time there
/// (docs/performance.md has the measurements). Small helpers the kernels inline keep <c>AggressiveInlining</c>.</para>
/// </summary>
internal static class KernelControl
{
    /// <summary>Matrix products smaller than this many multiply-adds stay on one thread: waking a worker costs more.</summary>
    public const long GemmParallelThreshold = 1L << 20;

    /// <summary>Matrix-vector products (one or two rows) smaller than this many multiply-adds stay on one thread.</summary>
    public const long GemvParallelThreshold = 1L << 16;

    /// <summary>Optimizer updates over fewer values than this stay on one thread.</summary>
    public const long UpdateParallelThreshold = 1L << 16;

    /// <summary>The instruction set in use: the widest the CPU accelerates; tests may lower it to compare paths.</summary>
    public static SimdLevel Simd { get; set; } = DetectSimd();

    /// <summary>How many threads a kernel may split its work over (the public <see cref="Threading.IntraOpThreads"/>).</summary>
    public static int Threads => Threading.IntraOpThreads;

    /// <summary>The widest instruction set the CPU accelerates.</summary>
    public static SimdLevel DetectSimd() =>
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdLevel.Vector256 : SimdLevel.Scalar;
}
