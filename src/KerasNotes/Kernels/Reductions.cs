using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>
/// Sums, extrema and arg-extrema over contiguous runs or along one axis of a (outer, n, inner) view.
/// </summary>
/// <remarks>
/// A contiguous sum keeps 16 running partial sums (one Vector512, two Vector256, or sixteen
/// scalars) that map to the same elements on every path, then adds them in a fixed order: the
/// result is the same on every instruction set and more accurate than one running total.
/// </remarks>
internal static class Reductions
{
    /// <summary>The sum of <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        Span<float> lanes = stackalloc float[16];
        lanes.Clear();
        var level = KernelControl.Simd;
        if (n >= 16)
        {
            if (level == SimdLevel.Vector512)
            {
                var acc = Vector512<float>.Zero;
                for (; i <= n - 16; i += 16)
                {
                    acc += Vector512.LoadUnsafe(ref xr, (nuint)i);
                }

                acc.CopyTo(lanes);
            }
            else if (level == SimdLevel.Vector256)
            {
                Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
                for (; i <= n - 16; i += 16)
                {
                    acc0 += Vector256.LoadUnsafe(ref xr, (nuint)i);
                    acc1 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 8));
                }

                acc0.CopyTo(lanes);
                acc1.CopyTo(lanes[8..]);
            }
            else
            {
                for (; i <= n - 16; i += 16)
                {
                    for (int l = 0; l < 16; l++)
                    {
                        lanes[l] += Unsafe.Add(ref xr, i + l);
                    }
                }
            }
        }

        float total = 0f;
        for (int l = 0; l < 16; l++)
        {
            total += lanes[l];
        }

        for (; i < n; i++)
        {
            total += Unsafe.Add(ref xr, i);
        }

        return total;
    }

    /// <summary>Σ x², with the same 16-lane structure as <see cref="Sum"/> (same result on every path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumOfSquares(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        Span<float> lanes = stackalloc float[16];
        lanes.Clear();
        var level = KernelControl.Simd;
        if (n >= 16)
        {
            if (level == SimdLevel.Vector512)
            {
                var acc = Vector512<float>.Zero;
                for (; i <= n - 16; i += 16)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                    acc += v * v;
                }

                acc.CopyTo(lanes);
            }
            else if (level == SimdLevel.Vector256)
            {
                Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
                for (; i <= n - 16; i += 16)
                {
                    var v0 = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8));
                    acc0 += v0 * v0;
                    acc1 += v1 * v1;
                }

                acc0.CopyTo(lanes);
                acc1.CopyTo(lanes[8..]);
            }
            else
            {
                for (; i <= n - 16; i += 16)
                {
                    for (int l = 0; l < 16; l++)
                    {
                        float v = Unsafe.Add(ref xr, i + l);
                        lanes[l] += v * v;
                    }
                }
            }
        }

        float total = 0f;
        for (int l = 0; l < 16; l++)
        {
            total += lanes[l];
        }

        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i);
            total += v * v;
        }

        return total;
    }

    /// <summary>The index of the first NaN or infinity, or -1 (x − x is 0 exactly when x is finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FirstNonFinite(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                var v0 = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var v1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8));
                var v2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 16));
                var v3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 24));
                var d = (v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3);
                if (!Vector256.EqualsAll(d, Vector256<float>.Zero))
                {
                    break;
                }
            }
        }

        for (; i < n; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref xr, i)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The largest element (NaN if any element is NaN); -∞ for an empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(ReadOnlySpan<float> x)
    {
        float m = float.NegativeInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v))
            {
                return v;
            }

            if (v > m)
            {
                m = v;
            }
        }

        return m;
    }

    /// <summary>The smallest element (NaN if any element is NaN); +∞ for an empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Min(ReadOnlySpan<float> x)
    {
        float m = float.PositiveInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v))
            {
                return v;
            }

            if (v < m)
            {
                m = v;
            }
        }

        return m;
    }

    /// <summary>
    /// dest[o, i] = Σ_r x[o, r, i] for a view of x as (outer, n, inner). Rows are added in order r = 0..n-1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> dest)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                dest[o] = Sum(x.Slice(o * n, n));
            }

            return;
        }

        for (int o = 0; o < outer; o++)
        {
            var d = dest.Slice(o * inner, inner);
            d.Clear();
            for (int r = 0; r < n; r++)
            {
                ElementwiseDriver.Binary<AddOp>(d, x.Slice(((o * n) + r) * inner, inner), d);
            }
        }
    }

    /// <summary>dest[o, i] = max_r x[o, r, i] (NaN propagates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> dest)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int r = 0; r < n; r++)
                {
                    float v = x[(((o * n) + r) * inner) + i];
                    if (float.IsNaN(v))
                    {
                        m = v;
                        break;
                    }

                    if (v > m)
                    {
                        m = v;
                    }
                }

                dest[(o * inner) + i] = m;
            }
        }
    }

    /// <summary>dest[o, i] = min_r x[o, r, i] (NaN propagates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MinAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> dest)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                float m = float.PositiveInfinity;
                for (int r = 0; r < n; r++)
                {
                    float v = x[(((o * n) + r) * inner) + i];
                    if (float.IsNaN(v))
                    {
                        m = v;
                        break;
                    }

                    if (v < m)
                    {
                        m = v;
                    }
                }

                dest[(o * inner) + i] = m;
            }
        }
    }

    /// <summary>dest[o, i] = the first r at which x[o, r, i] is largest (as numpy/TensorFlow argmax; a NaN counts as largest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMaxAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> dest)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float m = x[(o * n * inner) + i];
                if (!float.IsNaN(m))
                {
                    for (int r = 1; r < n; r++)
                    {
                        float v = x[(((o * n) + r) * inner) + i];
                        if (float.IsNaN(v))
                        {
                            best = r;
                            break;
                        }

                        if (v > m)
                        {
                            m = v;
                            best = r;
                        }
                    }
                }

                dest[(o * inner) + i] = best;
            }
        }
    }

    /// <summary>dest[o, i] = the first r at which x[o, r, i] is smallest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMinAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> dest)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float m = x[(o * n * inner) + i];
                if (!float.IsNaN(m))
                {
                    for (int r = 1; r < n; r++)
                    {
                        float v = x[(((o * n) + r) * inner) + i];
                        if (float.IsNaN(v))
                        {
                            best = r;
                            break;
                        }

                        if (v < m)
                        {
                            m = v;
                            best = r;
                        }
                    }
                }

                dest[(o * inner) + i] = best;
            }
        }
    }
}
