using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>Conversions of raw data into model inputs.</summary>
internal static class DataKernels
{
    /// <summary>y[i] = x[i] · scale for 8-bit pixels, widened 16 at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleBytes(ReadOnlySpan<byte> x, float scale, Span<float> y)
    {
        ref byte xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i <= n - 16; i += 16)
            {
                var bytes = Vector128.LoadUnsafe(ref xr, (nuint)i);
                var (lo, hi) = Vector128.Widen(bytes);
                var (w0, w1) = Vector128.Widen(lo);
                var (w2, w3) = Vector128.Widen(hi);
                (Vector256.ConvertToSingle(Vector256.Create(w0, w1).AsInt32()) * s).StoreUnsafe(ref yr, (nuint)i);
                (Vector256.ConvertToSingle(Vector256.Create(w2, w3).AsInt32()) * s).StoreUnsafe(ref yr, (nuint)(i + 8));
            }
        }

        for (; i < n; i++)
        {
            y[i] = x[i] * scale;
        }
    }
}
