using System.Runtime.Intrinsics;

namespace KerasNotes;

/// <summary>
/// A xoshiro256** generator (fast, 2^256 period, passes BigCrush) seeded by SplitMix64 from a seed
/// and a stream number, plus a counter-based hash for drawing masks in vector blocks.
/// </summary>
/// <remarks>
/// It derives from <see cref="System.Random"/> so MathNet.Numerics distributions can draw from it.
/// Dropout masks use <see cref="FillBernoulliMask"/>: each element's draw is a hash of
/// (key, counter + index), so the mask is generated 16 lanes at a time and does not depend on
/// how the work is split.
/// </remarks>
internal sealed class RandomGenerator : System.Random
{
    private ulong _s0, _s1, _s2, _s3;
    private ulong _counter;
    private uint _key;

    public RandomGenerator(ulong seed, ulong stream)
    {
        ulong sm = seed ^ (stream * 0x9E3779B97F4A7C15UL);
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
        _key = (uint)SplitMix(ref sm);
    }

    /// <summary>Where the generator is: its four state words, the mask counter and the mask key (for saving a run's RNG state).</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _counter, _key];

    /// <summary>Restores a state returned by <see cref="GetState"/> (a 5-word state keeps the current mask key).</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length is not (5 or 6))
        {
            throw new ArgumentException($"A generator state has 5 or 6 words, got {state.Length}.", nameof(state));
        }

        _s0 = state[0];
        _s1 = state[1];
        _s2 = state[2];
        _s3 = state[3];
        _counter = state[4];
        if (state.Length == 6)
        {
            _key = (uint)state[5];
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <inheritdoc />
    protected override double Sample() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc />
    public override double NextDouble() => Sample();

    /// <inheritdoc />
    public override int Next() => (int)(NextUInt64() >> 33);

    /// <inheritdoc />
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextBelow((uint)maxValue);
    }

    /// <inheritdoc />
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue + (int)NextBelow((uint)(maxValue - minValue));
    }

    /// <inheritdoc />
    public override long NextInt64() => (long)(NextUInt64() >> 1);

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i += 8)
        {
            ulong v = NextUInt64();
            for (int j = 0; j < 8 && i + j < buffer.Length; j++)
            {
                buffer[i + j] = (byte)(v >> (8 * j));
            }
        }
    }

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <summary>A uniform integer in [0, bound) without modulo bias (Lemire's method).</summary>
    public uint NextBelow(uint bound)
    {
        if (bound == 0)
        {
            return 0;
        }

        ulong m = (ulong)(uint)(NextUInt64() >> 32) * bound;
        uint low = (uint)m;
        if (low < bound)
        {
            uint threshold = (uint)(-bound % bound);
            while (low < threshold)
            {
                m = (ulong)(uint)(NextUInt64() >> 32) * bound;
                low = (uint)m;
            }
        }

        return (uint)(m >> 32);
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Fills <paramref name="indices"/> with a uniform random permutation of 0..n-1 (Fisher–Yates).</summary>
    public void Permutation(Span<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        for (int i = indices.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow((uint)(i + 1));
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
    }

    /// <summary>
    /// Writes an all-bits-set float where a uniform draw falls below <paramref name="keepProbability"/> and 0 elsewhere
    /// (a select mask for inverted dropout). Advances the counter by the mask length.
    /// </summary>
    public void FillBernoulliMask(Span<float> mask, double keepProbability)
    {
        // A call that crosses a multiple of 2^32 draws is done in two parts, so every element is keyed by its own
        // position in the sequence (not by where its call started) and the mask does not depend on how it is split.
        ulong leftInEpoch = (1UL << 32) - (uint)_counter;
        if ((ulong)mask.Length > leftInEpoch)
        {
            FillBernoulliMask(mask[..(int)leftInEpoch], keepProbability);
            FillBernoulliMask(mask[(int)leftInEpoch..], keepProbability);
            return;
        }

        // Keep when the 32-bit hash is below keep·2^32 (compared as unsigned).
        ulong thresholdWide = (ulong)Math.Round(keepProbability * 4294967296.0);
        bool keepAll = thresholdWide >= 4294967296UL;
        uint threshold = keepAll ? uint.MaxValue : (uint)thresholdWide;
        uint baseCounter = (uint)_counter;
        // Past 2^32 draws the high counter bits re-key the hash, so masks never repeat.
        uint callKey = _key ^ (uint)((_counter >> 32) * 0x9E3779B97F4A7C15UL);
        _counter += (ulong)mask.Length;
        if (keepAll)
        {
            mask.Fill(BitConverter.Int32BitsToSingle(-1));
            return;
        }

        int i = 0;
        var level = Kernels.KernelControl.Simd;
        if (level == Kernels.SimdLevel.Vector512)
        {
            var lane = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var key = Vector512.Create(callKey);
            var flip = Vector512.Create(0x80000000u);
            var thr = Vector512.Create(threshold ^ 0x80000000u).AsInt32();
            for (; i <= mask.Length - 16; i += 16)
            {
                var h = Hash(Vector512.Create(baseCounter + (uint)i) + lane, key);
                // Unsigned compare via the sign-flip trick.
                Vector512.LessThan((h ^ flip).AsInt32(), thr).AsSingle().CopyTo(mask[i..]);
            }
        }
        else if (level == Kernels.SimdLevel.Vector256)
        {
            var lane = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            var key = Vector256.Create(callKey);
            var flip = Vector256.Create(0x80000000u);
            var thr = Vector256.Create(threshold ^ 0x80000000u).AsInt32();
            for (; i <= mask.Length - 8; i += 8)
            {
                var h = Hash(Vector256.Create(baseCounter + (uint)i) + lane, key);
                Vector256.LessThan((h ^ flip).AsInt32(), thr).AsSingle().CopyTo(mask[i..]);
            }
        }

        float on = BitConverter.Int32BitsToSingle(-1);
        for (; i < mask.Length; i++)
        {
            mask[i] = Hash(baseCounter + (uint)i, callKey) < threshold ? on : 0f;
        }
    }

    // lowbias32 (Wellons) over the counter mixed with the key: a strong 32-bit integer hash.
    private static uint Hash(uint x, uint key)
    {
        x ^= key;
        x *= 0x9E3779B1u;
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        x ^= x >> 16;
        return x;
    }

    private static Vector512<uint> Hash(Vector512<uint> x, Vector512<uint> key)
    {
        x ^= key;
        x *= Vector512.Create(0x9E3779B1u);
        x ^= x >>> 16;
        x *= Vector512.Create(0x7FEB352Du);
        x ^= x >>> 15;
        x *= Vector512.Create(0x846CA68Bu);
        x ^= x >>> 16;
        return x;
    }

    private static Vector256<uint> Hash(Vector256<uint> x, Vector256<uint> key)
    {
        x ^= key;
        x *= Vector256.Create(0x9E3779B1u);
        x ^= x >>> 16;
        x *= Vector256.Create(0x7FEB352Du);
        x ^= x >>> 15;
        x *= Vector256.Create(0x846CA68Bu);
        x ^= x >>> 16;
        return x;
    }
}
