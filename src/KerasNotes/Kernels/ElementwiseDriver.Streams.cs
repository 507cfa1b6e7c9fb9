using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

// The multi-stream forms of the element-wise driver. Their ops are small readonly structs whose fields carry the
// scalars (a learning rate, a keep probability...): the driver takes the op by value, so the fields become locals of
// the loop. Each op states one formula three times (float, Vector256, Vector512) with the same IEEE operations in the
// same order; the JIT does not contract a·b + c into a fused multiply-add, so the three agree bit for bit.

/// <summary>d = f(x), with scalar, Vector256 and Vector512 forms that agree exactly; the op's fields hold its scalars.</summary>
internal interface IMapOp1
{
    float Invoke(float x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>d = f(x, y), with scalar, Vector256 and Vector512 forms that agree exactly; the op's fields hold its scalars.</summary>
internal interface IMapOp2
{
    float Invoke(float x, float y);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>The ternary form d = f(x, y, z), with scalar, Vector256 and Vector512 forms that agree exactly.</summary>
internal interface IMapOp3
{
    float Invoke(float x, float y, float z);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>d = f(a, b, c, e, f, g, h) of seven inputs (a BatchNormalization gradient row and its column statistics).</summary>
internal interface IMapOp7
{
    float Invoke(float a, float b, float c, float e, float f, float g, float h);

    Vector256<float> Invoke(
        Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> e, Vector256<float> f, Vector256<float> g, Vector256<float> h);

    Vector512<float> Invoke(
        Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> e, Vector512<float> f, Vector512<float> g, Vector512<float> h);
}

/// <summary>Updates one stream in place from one read-only input (plain SGD: the gradient and the variable).</summary>
internal interface IUpdateOp1
{
    void Invoke(float x, ref float a);

    void Invoke(Vector256<float> x, ref Vector256<float> a);

    void Invoke(Vector512<float> x, ref Vector512<float> a);
}

/// <summary>Updates two streams in place from one read-only input (the gradient, the variable and one slot).</summary>
internal interface IUpdateOp2
{
    void Invoke(float x, ref float a, ref float b);

    void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b);

    void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b);
}

/// <summary>Updates three streams in place from one read-only input (the gradient, the variable and two slots).</summary>
internal interface IUpdateOp3
{
    void Invoke(float x, ref float a, ref float b, ref float c);

    void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c);

    void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c);
}

/// <summary>Updates four streams in place from one read-only input (the gradient, the variable and three slots).</summary>
internal interface IUpdateOp4
{
    void Invoke(float x, ref float a, ref float b, ref float c, ref float e);

    void Invoke(Vector256<float> x, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c, ref Vector256<float> e);

    void Invoke(Vector512<float> x, ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c, ref Vector512<float> e);
}

/// <summary>Updates two streams in place from four read-only inputs (BatchNormalization's gradient sums).</summary>
internal interface IUpdateOp2With4Inputs
{
    void Invoke(float x, float y, float z, float w, ref float a, ref float b);

    void Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z, Vector256<float> w, ref Vector256<float> a, ref Vector256<float> b);

    void Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z, Vector512<float> w, ref Vector512<float> a, ref Vector512<float> b);
}

/// <remarks>
/// <para>The multi-stream forms, for ops that carry scalars or touch more than two streams:</para>
/// <list type="table">
/// <listheader><term>form</term><description>op, call</description></listheader>
/// <item><term>d = f(x), f(x, y), f(x, y, z), f(seven inputs)</term><description><see cref="IMapOp1"/>,
/// <see cref="IMapOp2"/>, <see cref="IMapOp3"/>, <see cref="IMapOp7"/>: <c>Map(op, inputs…, d)</c>; d may be one of
/// the inputs (in-place).</description></item>
/// <item><term>f(x; ref a[, ref b, ref c, ref e])</term><description><see cref="IUpdateOp1"/> … <see cref="IUpdateOp4"/>:
/// <c>Update(op, x, a, …)</c>; the optimizer rules (x the gradient, a the variable, then the slots).</description></item>
/// <item><term>f(x, y, z, w; ref a, ref b)</term><description><see cref="IUpdateOp2With4Inputs"/>:
/// <c>Update(op, x, y, z, w, a, b)</c>.</description></item>
/// </list>
/// <para>The length is that of the stream written first (d, or a); every other stream must be at least as long.
/// Each loop loads every stream of an element before it stores any, so an output may alias an input.</para>
/// </remarks>
internal static partial class ElementwiseDriver
{
    /// <summary>d[i] = op(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> d)
        where TOp : struct, IMapOp1
    {
        int n = d.Length;
        Require(x.Length, n, nameof(x));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                op.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i));
        }
    }

    /// <summary>d[i] = op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
        where TOp : struct, IMapOp2
    {
        int n = d.Length;
        Require(x.Length, n, nameof(x));
        Require(y.Length, n, nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                op.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
    }

    /// <summary>d[i] = op(x[i], y[i], z[i]) (the ternary form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> d)
        where TOp : struct, IMapOp3
    {
        int n = d.Length;
        Require(x.Length, n, nameof(x));
        Require(y.Length, n, nameof(y));
        Require(z.Length, n, nameof(z));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                op.Invoke(
                    Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref zr, (nuint)i))
                    .StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                op.Invoke(
                    Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref zr, (nuint)i))
                    .StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i));
        }
    }

    /// <summary>d[i] = op(a[i], b[i], c[i], e[i], f[i], g[i], h[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(
        TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> e,
        ReadOnlySpan<float> f, ReadOnlySpan<float> g, ReadOnlySpan<float> h, Span<float> d)
        where TOp : struct, IMapOp7
    {
        int n = d.Length;
        Require(a.Length, n, nameof(a));
        Require(b.Length, n, nameof(b));
        Require(c.Length, n, nameof(c));
        Require(e.Length, n, nameof(e));
        Require(f.Length, n, nameof(f));
        Require(g.Length, n, nameof(g));
        Require(h.Length, n, nameof(h));
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float er = ref MemoryMarshal.GetReference(e);
        ref float fr = ref MemoryMarshal.GetReference(f);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                op.Invoke(
                    Vector512.LoadUnsafe(ref ar, k), Vector512.LoadUnsafe(ref br, k), Vector512.LoadUnsafe(ref cr, k), Vector512.LoadUnsafe(ref er, k),
                    Vector512.LoadUnsafe(ref fr, k), Vector512.LoadUnsafe(ref gr, k), Vector512.LoadUnsafe(ref hr, k))
                    .StoreUnsafe(ref dr, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                op.Invoke(
                    Vector256.LoadUnsafe(ref ar, k), Vector256.LoadUnsafe(ref br, k), Vector256.LoadUnsafe(ref cr, k), Vector256.LoadUnsafe(ref er, k),
                    Vector256.LoadUnsafe(ref fr, k), Vector256.LoadUnsafe(ref gr, k), Vector256.LoadUnsafe(ref hr, k))
                    .StoreUnsafe(ref dr, k);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(
                Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i), Unsafe.Add(ref er, i),
                Unsafe.Add(ref fr, i), Unsafe.Add(ref gr, i), Unsafe.Add(ref hr, i));
        }
    }

    /// <summary>op(x[i]; ref a[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> a)
        where TOp : struct, IUpdateOp1
    {
        int n = a.Length;
        Require(x.Length, n, nameof(x));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float ar = ref MemoryMarshal.GetReference(a);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                var av = Vector512.LoadUnsafe(ref ar, k);
                op.Invoke(Vector512.LoadUnsafe(ref xr, k), ref av);
                av.StoreUnsafe(ref ar, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                var av = Vector256.LoadUnsafe(ref ar, k);
                op.Invoke(Vector256.LoadUnsafe(ref xr, k), ref av);
                av.StoreUnsafe(ref ar, k);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(Unsafe.Add(ref xr, i), ref Unsafe.Add(ref ar, i));
        }
    }

    /// <summary>op(x[i]; ref a[i], ref b[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> a, Span<float> b)
        where TOp : struct, IUpdateOp2
    {
        int n = a.Length;
        Require(x.Length, n, nameof(x));
        Require(b.Length, n, nameof(b));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                var av = Vector512.LoadUnsafe(ref ar, k);
                var bv = Vector512.LoadUnsafe(ref br, k);
                op.Invoke(Vector512.LoadUnsafe(ref xr, k), ref av, ref bv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                var av = Vector256.LoadUnsafe(ref ar, k);
                var bv = Vector256.LoadUnsafe(ref br, k);
                op.Invoke(Vector256.LoadUnsafe(ref xr, k), ref av, ref bv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(Unsafe.Add(ref xr, i), ref Unsafe.Add(ref ar, i), ref Unsafe.Add(ref br, i));
        }
    }

    /// <summary>op(x[i]; ref a[i], ref b[i], ref c[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> a, Span<float> b, Span<float> c)
        where TOp : struct, IUpdateOp3
    {
        int n = a.Length;
        Require(x.Length, n, nameof(x));
        Require(b.Length, n, nameof(b));
        Require(c.Length, n, nameof(c));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                var av = Vector512.LoadUnsafe(ref ar, k);
                var bv = Vector512.LoadUnsafe(ref br, k);
                var cv = Vector512.LoadUnsafe(ref cr, k);
                op.Invoke(Vector512.LoadUnsafe(ref xr, k), ref av, ref bv, ref cv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
                cv.StoreUnsafe(ref cr, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                var av = Vector256.LoadUnsafe(ref ar, k);
                var bv = Vector256.LoadUnsafe(ref br, k);
                var cv = Vector256.LoadUnsafe(ref cr, k);
                op.Invoke(Vector256.LoadUnsafe(ref xr, k), ref av, ref bv, ref cv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
                cv.StoreUnsafe(ref cr, k);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(Unsafe.Add(ref xr, i), ref Unsafe.Add(ref ar, i), ref Unsafe.Add(ref br, i), ref Unsafe.Add(ref cr, i));
        }
    }

    /// <summary>op(x[i]; ref a[i], ref b[i], ref c[i], ref e[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> a, Span<float> b, Span<float> c, Span<float> e)
        where TOp : struct, IUpdateOp4
    {
        int n = a.Length;
        Require(x.Length, n, nameof(x));
        Require(b.Length, n, nameof(b));
        Require(c.Length, n, nameof(c));
        Require(e.Length, n, nameof(e));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float er = ref MemoryMarshal.GetReference(e);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                var av = Vector512.LoadUnsafe(ref ar, k);
                var bv = Vector512.LoadUnsafe(ref br, k);
                var cv = Vector512.LoadUnsafe(ref cr, k);
                var ev = Vector512.LoadUnsafe(ref er, k);
                op.Invoke(Vector512.LoadUnsafe(ref xr, k), ref av, ref bv, ref cv, ref ev);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
                cv.StoreUnsafe(ref cr, k);
                ev.StoreUnsafe(ref er, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                var av = Vector256.LoadUnsafe(ref ar, k);
                var bv = Vector256.LoadUnsafe(ref br, k);
                var cv = Vector256.LoadUnsafe(ref cr, k);
                var ev = Vector256.LoadUnsafe(ref er, k);
                op.Invoke(Vector256.LoadUnsafe(ref xr, k), ref av, ref bv, ref cv, ref ev);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
                cv.StoreUnsafe(ref cr, k);
                ev.StoreUnsafe(ref er, k);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(
                Unsafe.Add(ref xr, i), ref Unsafe.Add(ref ar, i), ref Unsafe.Add(ref br, i), ref Unsafe.Add(ref cr, i), ref Unsafe.Add(ref er, i));
        }
    }

    /// <summary>op(x[i], y[i], z[i], w[i]; ref a[i], ref b[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(
        TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, ReadOnlySpan<float> w, Span<float> a, Span<float> b)
        where TOp : struct, IUpdateOp2With4Inputs
    {
        int n = a.Length;
        Require(x.Length, n, nameof(x));
        Require(y.Length, n, nameof(y));
        Require(z.Length, n, nameof(z));
        Require(w.Length, n, nameof(w));
        Require(b.Length, n, nameof(b));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        var level = KernelControl.Simd;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var k = (nuint)i;
                var av = Vector512.LoadUnsafe(ref ar, k);
                var bv = Vector512.LoadUnsafe(ref br, k);
                op.Invoke(
                    Vector512.LoadUnsafe(ref xr, k), Vector512.LoadUnsafe(ref yr, k), Vector512.LoadUnsafe(ref zr, k), Vector512.LoadUnsafe(ref wr, k),
                    ref av, ref bv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
            }
        }

        if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var k = (nuint)i;
                var av = Vector256.LoadUnsafe(ref ar, k);
                var bv = Vector256.LoadUnsafe(ref br, k);
                op.Invoke(
                    Vector256.LoadUnsafe(ref xr, k), Vector256.LoadUnsafe(ref yr, k), Vector256.LoadUnsafe(ref zr, k), Vector256.LoadUnsafe(ref wr, k),
                    ref av, ref bv);
                av.StoreUnsafe(ref ar, k);
                bv.StoreUnsafe(ref br, k);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(
                Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i), Unsafe.Add(ref wr, i),
                ref Unsafe.Add(ref ar, i), ref Unsafe.Add(ref br, i));
        }
    }

    // A stream shorter than the one written would be read past its end by the unchecked vector loads. Inlined, so a
    // kernel called once per row (BatchNormalization) pays a compare per stream, not a call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Require(int length, int needed, string name)
    {
        if (length < needed)
        {
            ThrowShortStream(length, needed, name);
        }
    }

    [DoesNotReturn]
    private static void ThrowShortStream(int length, int needed, string name) =>
        throw new ArgumentException($"Stream '{name}' has {length} elements; the kernel writes {needed}.", name);
}
