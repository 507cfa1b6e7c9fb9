using System.Runtime.CompilerServices;
namespace KerasNotes.Kernels;

/// <summary>
/// NumPy broadcasting for binary element-wise kernels, and its reverse (summing a gradient
/// back to an operand's shape).
/// </summary>
internal static class Broadcasting
{
    /// <summary>The broadcast shape of two operands.</summary>
    /// <exception cref="ArgumentException">The shapes are not compatible; the message names both.</exception>
    public static Shape ResultShape(Shape a, Shape b, string op)
    {
        if (Shape.TryBroadcast(a, b, out var result, out int axis))
        {
            return result;
        }

        int ai = a.Rank + axis, bi = b.Rank + axis;
        throw new ArgumentException(
            $"{op}: shapes {a} and {b} cannot be broadcast together (axis {axis} has sizes {(ai >= 0 ? a[ai] : 1)} and {(bi >= 0 ? b[bi] : 1)}).");
    }

    /// <summary>Applies <typeparamref name="TOp"/> element-wise with broadcasting; <paramref name="result"/> has the broadcast shape.</summary>
    public static void Binary<TOp>(Tensor a, Tensor b, Tensor result)
        where TOp : IBinaryOp
    {
        var d = result.Span;
        if (a.Shape == b.Shape)
        {
            ElementwiseDriver.Binary<TOp>(a.AsSpan(), b.AsSpan(), d);
            return;
        }

        if (b.Size == 1)
        {
            ElementwiseDriver.BinaryScalar<TOp>(a.AsSpan(), b.Data[b.Offset], d);
            return;
        }

        if (a.Size == 1)
        {
            ElementwiseDriver.ScalarBinary<TOp>(a.Data[a.Offset], b.AsSpan(), d);
            return;
        }

        General<TOp>(a, b, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void General<TOp>(Tensor a, Tensor b, Tensor result)
        where TOp : IBinaryOp
    {
        var outShape = result.Shape;
        int rank = outShape.Rank;
        Span<int> strideA = stackalloc int[rank];
        Span<int> strideB = stackalloc int[rank];
        BroadcastStrides(a.Shape, outShape, strideA);
        BroadcastStrides(b.Shape, outShape, strideB);

        int inner = outShape[rank - 1];
        int outer = result.Size / Math.Max(inner, 1);
        int sa = strideA[rank - 1], sb = strideB[rank - 1];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        var aSpan = a.AsSpan();
        var bSpan = b.AsSpan();
        var dSpan = result.Span;
        int offA = 0, offB = 0;
        for (int o = 0; o < outer; o++)
        {
            var dRow = dSpan.Slice(o * inner, inner);
            if (sa == 1 && sb == 1)
            {
                ElementwiseDriver.Binary<TOp>(aSpan.Slice(offA, inner), bSpan.Slice(offB, inner), dRow);
            }
            else if (sa == 1)
            {
                ElementwiseDriver.BinaryScalar<TOp>(aSpan.Slice(offA, inner), bSpan[offB], dRow);
            }
            else if (sb == 1)
            {
                ElementwiseDriver.ScalarBinary<TOp>(aSpan[offA], bSpan.Slice(offB, inner), dRow);
            }
            else
            {
                float va = aSpan[offA], vb = bSpan[offB];
                dRow.Fill(TOp.Invoke(va, vb));
            }

            // Advance the multi-index over the outer axes (all but the last).
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                offA += strideA[ax];
                offB += strideB[ax];
                if (index[ax] < outShape[ax])
                {
                    break;
                }

                offA -= strideA[ax] * index[ax];
                offB -= strideB[ax] * index[ax];
                index[ax] = 0;
            }
        }
    }

    /// <summary>Row-major strides of <paramref name="shape"/> aligned to <paramref name="target"/>, 0 on broadcast axes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BroadcastStrides(Shape shape, Shape target, Span<int> strides)
    {
        int rank = target.Rank;
        int offset = rank - shape.Rank;
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int si = i - offset;
            if (si < 0)
            {
                strides[i] = 0;
                continue;
            }

            int dim = shape[si];
            strides[i] = dim == 1 && target[i] != 1 ? 0 : stride;
            stride *= dim;
        }
    }

    /// <summary>
    /// Sums <paramref name="source"/> over the axes along which <paramref name="target"/>'s shape was broadcast,
    /// writing the result (which has <paramref name="target"/>'s shape) into <paramref name="target"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumTo(Tensor source, Tensor target)
    {
        var t = target.Span;
        var s = source.AsSpan();
        t.Clear();
        if (target.Size == 1)
        {
            t[0] = Reductions.Sum(s);
            return;
        }

        var sShape = source.Shape;
        int rank = sShape.Rank;
        Span<int> strideT = stackalloc int[rank];
        BroadcastStrides(target.Shape, sShape, strideT);
        int inner = sShape[rank - 1];
        int outer = source.Size / Math.Max(inner, 1);
        int st = strideT[rank - 1];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        int offT = 0;
        for (int o = 0; o < outer; o++)
        {
            var row = s.Slice(o * inner, inner);
            if (st == 1)
            {
                // Accumulate the row into the target row (e.g. bias gradient: sum over the batch).
                var dst = t.Slice(offT, inner);
                ElementwiseDriver.Binary<AddOp>(dst, row, dst);
            }
            else
            {
                t[offT] += Reductions.Sum(row);
            }

            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                offT += strideT[ax];
                if (index[ax] < sShape[ax])
                {
                    break;
                }

                offT -= strideT[ax] * index[ax];
                index[ax] = 0;
            }
        }
    }
    /// <summary>Copies <paramref name="source"/> broadcast to the shape of <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Expand(Tensor source, Tensor target)
    {
        var t = target.Span;
        var s = source.AsSpan();
        if (source.Size == 1)
        {
            t.Fill(s[0]);
            return;
        }

        var tShape = target.Shape;
        int rank = tShape.Rank;
        Span<int> strideS = stackalloc int[rank];
        BroadcastStrides(source.Shape, tShape, strideS);
        int inner = tShape[rank - 1];
        int outer = target.Size / Math.Max(inner, 1);
        int ss = strideS[rank - 1];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        int offS = 0;
        for (int o = 0; o < outer; o++)
        {
            var row = t.Slice(o * inner, inner);
            if (ss == 1)
            {
                s.Slice(offS, inner).CopyTo(row);
            }
            else
            {
                row.Fill(s[offS]);
            }

            for (int ax = rank - 2; ax >= 0; ax--)
            {
                index[ax]++;
                offS += strideS[ax];
                if (index[ax] < tShape[ax])
                {
                    break;
                }

                offS -= strideS[ax] * index[ax];
                index[ax] = 0;
            }
        }
    }
}
