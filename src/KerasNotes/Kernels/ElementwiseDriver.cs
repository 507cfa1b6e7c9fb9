using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>An element-wise function of one value, with scalar, Vector256 and Vector512 forms that agree exactly.</summary>
internal interface IUnaryOp
{
    static abstract float Invoke(float x);

    static abstract Vector256<float> Invoke(Vector256<float> x);

    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An element-wise function of two values, with scalar, Vector256 and Vector512 forms that agree exactly.</summary>
internal interface IBinaryOp
{
    static abstract float Invoke(float x, float y);

    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// The one loop every custom element-wise kernel shares: widest vectors first, then a scalar tail.
/// </summary>
/// <remarks>
/// Ops are written once as small structs (see <see cref="IUnaryOp"/>); the driver owns the
/// unrolling and the remainder. The ops used here are exact (no transcendental approximations),
/// so the vector body and the scalar tail give identical results for every element.
/// </remarks>
internal static partial class ElementwiseDriver
{
    /// <summary>y[i] = op(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOp
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("Destination is too short.", nameof(y));
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
        }
    }

    /// <summary>d[i] = op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
        where TOp : IBinaryOp
    {
        if (y.Length < x.Length || d.Length < x.Length)
        {
            throw new ArgumentException("Operands differ in length.", nameof(y));
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int n = x.Length, i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
    }

    /// <summary>d[i] = op(x[i], y) for a scalar y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BinaryScalar<TOp>(ReadOnlySpan<float> x, float y, Span<float> d)
        where TOp : IBinaryOp
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int n = x.Length, i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            var yv = Vector512.Create(y);
            for (; i <= n - 16; i += 16)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), yv).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            var yv = Vector256.Create(y);
            for (; i <= n - 8; i += 8)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), yv).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), y);
        }
    }

    /// <summary>d[i] = op(x, y[i]) for a scalar x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScalarBinary<TOp>(float x, ReadOnlySpan<float> y, Span<float> d)
        where TOp : IBinaryOp
    {
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int n = y.Length, i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            var xv = Vector512.Create(x);
            for (; i <= n - 16; i += 16)
            {
                TOp.Invoke(xv, Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            var xv = Vector256.Create(x);
            for (; i <= n - 8; i += 8)
            {
                TOp.Invoke(xv, Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = TOp.Invoke(x, Unsafe.Add(ref yr, i));
        }
    }
}
