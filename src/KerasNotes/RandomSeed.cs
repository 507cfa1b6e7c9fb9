namespace KerasNotes;

/// <summary>
/// The global random seed (Keras <c>keras.utils.set_random_seed</c>): <c>RandomSeed.Set(42)</c>.
/// </summary>
/// <remarks>
/// <para>Every consumer of randomness that has no seed of its own — an initializer without
/// <c>seed</c>, a Dropout layer without <c>seed</c>, the per-epoch shuffle of <c>Fit</c> — takes
/// its own generator from this global source when it is created. After <see cref="Set"/>,
/// a program that creates and trains its model in the same order repeats bit for bit on the
/// same machine, whatever the thread count (kernels never let timing decide a result).</para>
/// <para>Without a call to <see cref="Set"/>, the seed is drawn from the system's entropy.</para>
/// <para>Named so that it never hides <see cref="System.Random"/> in a program that imports <c>KerasNotes</c>.</para>
/// </remarks>
public static class RandomSeed
{
    private static readonly Lock s_gate = new();
    private static ulong s_seed = (ulong)System.Random.Shared.NextInt64();
    private static ulong s_streams;

    /// <summary>The seed last set, or null if none was set.</summary>
    public static int? Value { get; private set; }

    /// <summary>Seeds every random generator created from now on.</summary>
    public static void Set(int seed)
    {
        lock (s_gate)
        {
            Value = seed;
            s_seed = (ulong)(uint)seed;
            s_streams = 0;
        }
    }

    /// <summary>A new, independent generator: the next stream of the global seed.</summary>
    internal static RandomGenerator NextGenerator()
    {
        lock (s_gate)
        {
            return new RandomGenerator(s_seed, ++s_streams);
        }
    }

    /// <summary>A generator for a consumer that has its own seed (its draws do not depend on the global seed).</summary>
    internal static RandomGenerator FromSeed(int seed) => new((ulong)(uint)seed, 0);
}
