using KerasNotes.Kernels;

namespace KerasNotes.Tests.TestSupport;

/// <summary>
/// The collection of every test that changes a process-wide setting (the kernels' SIMD level, the intra-op thread
/// count, the global random seed). It runs on its own, after the parallel collections, so no other test sees a
/// setting change under it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalKernelSettings
{
    public const string Name = "GlobalKernelSettings";

    /// <summary>The SIMD levels to compare: every level, Vector512 included (it is emulated where the CPU lacks it).</summary>
    internal static readonly SimdLevel[] Levels = [SimdLevel.Scalar, SimdLevel.Vector256, SimdLevel.Vector512];
}

/// <summary>Forces <see cref="KernelControl.Simd"/> (which every vectorised kernel reads) until disposed.</summary>
internal sealed class SimdLevelScope : IDisposable
{
    private readonly SimdLevel _previous;

    public SimdLevelScope(SimdLevel level)
    {
        _previous = KernelControl.Simd;
        KernelControl.Simd = level;
    }

    public void Dispose() => KernelControl.Simd = _previous;

    /// <summary>Runs <paramref name="action"/> with <paramref name="level"/> forced.</summary>
    public static T Run<T>(SimdLevel level, Func<T> action)
    {
        using var scope = new SimdLevelScope(level);
        return action();
    }
}

/// <summary>Sets <see cref="Threading.IntraOpThreads"/> until disposed.</summary>
internal sealed class IntraOpThreadsScope : IDisposable
{
    private readonly int _previous;

    public IntraOpThreadsScope(int threads)
    {
        _previous = Threading.IntraOpThreads;
        Threading.IntraOpThreads = threads;
    }

    public void Dispose() => Threading.IntraOpThreads = _previous;
}
