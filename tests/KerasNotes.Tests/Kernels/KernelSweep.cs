namespace KerasNotes.Tests.Kernels;

/// <summary>Inputs for the kernel path sweeps: every length 1..67 (so every vector tail runs) and a few larger ones.</summary>
internal static class KernelSweep
{
    public static IEnumerable<int> Lengths => Enumerable.Range(1, 67).Concat([128, 255, 256, 1000, 4099]);

    /// <summary>Random values in [-3, 3), with a sprinkling of special values (±0, ±∞, NaN, exact integers and halves) when asked.</summary>
    public static float[] Values(int seed, int length, bool specials = false)
    {
        var rng = new System.Random(seed);
        var v = new float[length];
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1f, -1f, 2.5f, -0.5f, 3f];
        for (int i = 0; i < length; i++)
        {
            v[i] = specials && rng.Next(5) == 0 ? special[rng.Next(special.Length)] : (float)((rng.NextDouble() * 6) - 3);
        }

        return v;
    }

    /// <summary>Random values in [lo, hi).</summary>
    public static float[] Values(int seed, int length, float lo, float hi)
    {
        var rng = new System.Random(seed);
        var v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (float)(lo + (rng.NextDouble() * (hi - lo)));
        }

        return v;
    }
}
