using KerasNotes.Kernels;

namespace KerasNotes;

public static partial class Ops
{
    /// <summary>
    /// The same elements with a new shape (a view, no copy). One dimension may be <c>-1</c> and is then inferred.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ, or more than one dimension is -1.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        var target = InferShape(x, shape);
        var y = x.View(target);
        GradientTape.ShouldRecord(x)?.Record(y, s_reshapeGrad, x);
        return y;
    }

    /// <summary>The same elements with a new shape (a view, no copy).</summary>
    public static Tensor Reshape(Tensor x, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reshape(x, shape.Dims);
    }

    private static Shape InferShape(Tensor x, int[] shape)
    {
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (unknown >= 0)
                {
                    throw new ArgumentException($"Reshape: only one dimension may be -1, got [{string.Join(", ", shape)}].", nameof(shape));
                }

                unknown = i;
            }
            else if (shape[i] < 0)
            {
                throw new ArgumentException($"Reshape: dimension {i} is {shape[i]}; expected >= 0 or -1.", nameof(shape));
            }
            else
            {
                // Saturate just above any real size, so a product of huge dimensions cannot wrap around to a small
                // number (or to 0) and pass for the tensor's element count.
                known = Math.Min(known * shape[i], (long)Array.MaxLength + 1);
            }
        }

        var dims = (int[])shape.Clone();
        if (unknown >= 0)
        {
            if (known == 0 || x.Size % known != 0)
            {
                throw new ArgumentException(
                    $"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Size} elements) into [{string.Join(", ", shape)}].", nameof(shape));
            }

            dims[unknown] = (int)(x.Size / known);
        }
        else if (known != x.Size)
        {
            throw new ArgumentException(
                $"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Size} elements) into [{string.Join(", ", shape)}] ({known} elements).", nameof(shape));
        }

        return new Shape(dims);
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (a view).</summary>
    public static Tensor ExpandDims(Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Rank + 1;
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"ExpandDims: axis {axis} is out of range for shape {x.Shape}.");
        }

        var dims = new int[rank];
        for (int i = 0, j = 0; i < rank; i++)
        {
            dims[i] = i == a ? 1 : x.Shape[j++];
        }

        return Reshape(x, dims);
    }

    /// <summary>Removes the size-1 axis <paramref name="axis"/>, or every size-1 axis when null (a view).</summary>
    /// <exception cref="ArgumentException">The given axis does not have size 1.</exception>
    public static Tensor Squeeze(Tensor x, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = x.Shape;
        var dims = new List<int>(s.Rank);
        int target = axis is int ax ? s.NormalizeAxis(ax) : -1;
        if (target >= 0 && s[target] != 1)
        {
            throw new ArgumentException($"Squeeze: axis {axis} of shape {s} has size {s[target]}, not 1.", nameof(axis));
        }

        for (int i = 0; i < s.Rank; i++)
        {
            bool drop = target >= 0 ? i == target : s[i] == 1;
            if (!drop)
            {
                dims.Add(s[i]);
            }
        }

        return Reshape(x, [.. dims]);
    }

    /// <summary>
    /// Permutes the axes (reverses them when <paramref name="axes"/> is null: a matrix transpose for rank 2).
    /// </summary>
    public static Tensor Transpose(Tensor x, int[]? axes = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = x.Shape;
        int rank = s.Rank;
        var perm = new int[rank];
        if (axes is null)
        {
            for (int i = 0; i < rank; i++)
            {
                perm[i] = rank - 1 - i;
            }
        }
        else
        {
            if (axes.Length != rank)
            {
                throw new ArgumentException($"Transpose: 'axes' has {axes.Length} entries; expected {rank} for shape {s}.", nameof(axes));
            }

            var seen = new bool[rank];
            for (int i = 0; i < rank; i++)
            {
                int a = axes[i] < 0 ? axes[i] + rank : axes[i];
                if ((uint)a >= (uint)rank || seen[a])
                {
                    throw new ArgumentException($"Transpose: 'axes' [{string.Join(", ", axes)}] is not a permutation of the {rank} axes.", nameof(axes));
                }

                seen[a] = true;
                perm[i] = a;
            }
        }

        var y = TransposeKernel(x, perm);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_transposeGrad, x).Ints = perm;
        }

        return y;
    }

    private static Tensor TransposeKernel(Tensor x, int[] perm)
    {
        var s = x.Shape;
        int rank = s.Rank;
        Span<int> outDims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
        {
            outDims[i] = s[perm[i]];
        }

        var y = Tensor.Allocate(new Shape(outDims));
        var src = x.AsSpan();
        var dst = y.Span;
        if (rank == 2 && perm[0] == 1)
        {
            int r = s[0], c = s[1];
            // Blocked transpose keeps both reads and writes within cache lines.
            const int Block = 32;
            for (int i0 = 0; i0 < r; i0 += Block)
            {
                for (int j0 = 0; j0 < c; j0 += Block)
                {
                    int i1 = Math.Min(r, i0 + Block), j1 = Math.Min(c, j0 + Block);
                    for (int i = i0; i < i1; i++)
                    {
                        for (int j = j0; j < j1; j++)
                        {
                            dst[(j * r) + i] = src[(i * c) + j];
                        }
                    }
                }
            }

            return y;
        }

        // General permutation: walk the output in order, tracking the source offset.
        Span<int> inStrides = stackalloc int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            inStrides[i] = stride;
            stride *= s[i];
        }

        Span<int> srcStride = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
        {
            srcStride[i] = inStrides[perm[i]];
        }

        Span<int> index = stackalloc int[rank];
        index.Clear();
        int off = 0;
        for (int k = 0; k < dst.Length; k++)
        {
            dst[k] = src[off];
            for (int ax = rank - 1; ax >= 0; ax--)
            {
                index[ax]++;
                off += srcStride[ax];
                if (index[ax] < outDims[ax])
                {
                    break;
                }

                off -= srcStride[ax] * index[ax];
                index[ax] = 0;
            }
        }

        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must match.</summary>
    public static Tensor Concatenate(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concatenate needs at least one tensor.", nameof(tensors));
        }

        var first = tensors[0];
        int rank = first.Rank;
        int ax = first.Shape.NormalizeAxis(axis);
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            var s = tensors[t].Shape;
            if (s.Rank != rank)
            {
                throw new ArgumentException($"Concatenate: tensor {t} has shape {s}; expected rank {rank} like {first.Shape}.", nameof(tensors));
            }

            for (int i = 0; i < rank; i++)
            {
                if (i != ax && s[i] != first.Shape[i])
                {
                    throw new ArgumentException($"Concatenate: tensor {t} has shape {s}, which differs from {first.Shape} outside axis {axis}.", nameof(tensors));
                }
            }

            total += s[ax];
        }

        var y = Tensor.Allocate(first.Shape.With(ax, total));
        int outer = first.Shape.Product(0, ax), inner = first.Shape.Product(ax + 1, rank);
        var dst = y.Span;
        int offset = 0;
        var inputs = new Tensor[tensors.Count];
        for (int t = 0; t < tensors.Count; t++)
        {
            var src = tensors[t];
            inputs[t] = src;
            int n = src.Shape[ax] * inner;
            var ss = src.AsSpan();
            for (int o = 0; o < outer; o++)
            {
                ss.Slice(o * n, n).CopyTo(dst.Slice((o * total * inner) + offset, n));
            }

            offset += n;
        }

        var tape = GradientTape.ShouldRecord(inputs);
        if (tape is not null)
        {
            var node = tape.Record(y, s_concatGrad, inputs[0]);
            node.Inputs = inputs;
            node.I0 = ax;
        }

        return y;
    }

    /// <summary>Picks rows of <paramref name="x"/> (along the first axis) by index, in the given order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the first axis.</exception>
    public static Tensor Take(Tensor x, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0)
        {
            throw new ArgumentException("Take needs a tensor of rank 1 or more; got a scalar.", nameof(x));
        }

        int rows = x.Shape[0];
        int rowSize = x.Size / Math.Max(rows, 1);
        var y = Tensor.Allocate(x.Shape.With(0, indices.Length));
        var src = x.AsSpan();
        var dst = y.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), r, $"Take: index {r} at position {i} is outside [0, {rows}) for shape {x.Shape}.");
            }

            src.Slice(r * rowSize, rowSize).CopyTo(dst.Slice(i * rowSize, rowSize));
        }

        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_takeGrad, x).Ints = indices.ToArray();
        }

        return y;
    }

    /// <summary>The block starting at <paramref name="start"/> with sizes <paramref name="size"/> (one entry per axis; -1 = to the end).</summary>
    public static Tensor Slice(Tensor x, int[] start, int[] size)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(size);
        var s = x.Shape;
        int rank = s.Rank;
        if (start.Length != rank || size.Length != rank)
        {
            throw new ArgumentException($"Slice: 'start' and 'size' need {rank} entries for shape {s}.", nameof(start));
        }

        var sz = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            sz[i] = size[i] == -1 ? s[i] - start[i] : size[i];
            if (start[i] < 0 || sz[i] < 0 || start[i] + sz[i] > s[i])
            {
                throw new ArgumentOutOfRangeException(nameof(start), $"Slice: start {start[i]} size {size[i]} is outside axis {i} of shape {s}.");
            }
        }

        var y = Tensor.Allocate(new Shape(sz));
        CopyBlock(x, start, y, forward: true);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_sliceGrad, x).Ints = start;
        }

        return y;
    }

    // Copies the block of `big` at `start` with `small`'s shape to `small` (forward) or back (scatter).
    private static void CopyBlock(Tensor big, int[] start, Tensor small, bool forward)
    {
        var bs = big.Shape;
        var ss = small.Shape;
        int rank = bs.Rank;
        if (small.Size == 0)
        {
            return;
        }

        int inner = rank == 0 ? 1 : ss[rank - 1];
        int outer = small.Size / inner;
        Span<int> index = stackalloc int[Math.Max(rank, 1)];
        index.Clear();
        Span<int> bigStrides = stackalloc int[Math.Max(rank, 1)];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            bigStrides[i] = stride;
            stride *= bs[i];
        }

        var bigSpan = big.Data.AsSpan(big.Offset, big.Size);
        var smallSpan = small.Data.AsSpan(small.Offset, small.Size);
        for (int o = 0; o < outer; o++)
        {
            int off = 0;
            for (int i = 0; i < rank; i++)
            {
                off += (start[i] + index[i]) * bigStrides[i];
            }

            if (forward)
            {
                bigSpan.Slice(off, inner).CopyTo(smallSpan.Slice(o * inner, inner));
            }
            else
            {
                smallSpan.Slice(o * inner, inner).CopyTo(bigSpan.Slice(off, inner));
            }

            for (int ax = rank - 2; ax >= 0; ax--)
            {
                if (++index[ax] < ss[ax])
                {
                    break;
                }

                index[ax] = 0;
            }
        }
    }

    /// <summary>Repeats <paramref name="x"/> along broadcast axes to <paramref name="shape"/>.</summary>
    public static Tensor BroadcastTo(Tensor x, Shape shape) => BroadcastTo(x, shape, record: true);

    internal static Tensor BroadcastTo(Tensor x, Shape shape, bool record)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape == shape)
        {
            return x;
        }

        var check = Broadcasting.ResultShape(x.Shape, shape, nameof(BroadcastTo));
        if (check != shape)
        {
            throw new ArgumentException($"BroadcastTo: a tensor of shape {x.Shape} cannot be broadcast to {shape}.", nameof(shape));
        }

        var y = Tensor.Allocate(shape);
        Broadcasting.Expand(x, y);
        if (record)
        {
            GradientTape.ShouldRecord(x)?.Record(y, s_passGrad, x);
        }

        return y;
    }

    /// <summary>A tensor of zeros shaped like <paramref name="x"/>.</summary>
    public static Tensor ZerosLike(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Tensor.AllocateZeroed(x.Shape);
    }

    /// <summary>A tensor of ones shaped like <paramref name="x"/>.</summary>
    public static Tensor OnesLike(Tensor x) => FullLike(x, 1f);

    /// <summary>A tensor filled with <paramref name="value"/>, shaped like <paramref name="x"/>.</summary>
    public static Tensor FullLike(Tensor x, float value)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        y.Span.Fill(value);
        return y;
    }

    /// <summary>
    /// One-hot encodes integer labels: a new last axis of size <paramref name="numClasses"/> with a 1 at each label.
    /// </summary>
    /// <exception cref="ArgumentException">A label is not an integer in <c>[0, numClasses)</c>.</exception>
    public static Tensor OneHot(Tensor labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        var y = Tensor.AllocateZeroed(AppendDim(labels.Shape, numClasses));
        var ls = labels.AsSpan();
        var ys = y.Span;
        for (int i = 0; i < ls.Length; i++)
        {
            float v = ls[i];
            int k = (int)v;
            if (k != v || (uint)k >= (uint)numClasses)
            {
                throw new ArgumentException($"OneHot: label {v} at position {i} is not an integer in [0, {numClasses}).", nameof(labels));
            }

            ys[(i * numClasses) + k] = 1f;
        }

        return y;
    }

    internal static Shape AppendDim(Shape s, int last)
    {
        Span<int> d = stackalloc int[s.Rank + 1];
        s.CopyTo(d);
        d[s.Rank] = last;
        return new Shape(d);
    }

    /// <summary>The same values with gradient flow cut (<c>keras.ops.stop_gradient</c>).</summary>
    public static Tensor StopGradient(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.View(x.Shape);
    }

    private static readonly BackwardFn s_reshapeGrad = static (n, g) => n.Accumulate(n.A, g.View(n.A!.Shape));

    private static readonly BackwardFn s_transposeGrad = static (n, g) =>
    {
        var perm = n.Ints!;
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        n.Accumulate(n.A, TransposeKernel(g, inverse));
    };

    private static readonly BackwardFn s_concatGrad = static (n, g) =>
    {
        int ax = n.I0;
        var inputs = n.Inputs!;
        var start = new int[g.Rank];
        foreach (var input in inputs)
        {
            if (n.Needs(input))
            {
                var part = Tensor.Allocate(input.Shape);
                CopyBlock(g, start, part, forward: true);
                n.Accumulate(input, part);
            }

            start[ax] += input.Shape[ax];
        }
    };

    private static readonly BackwardFn s_takeGrad = static (n, g) =>
    {
        var x = n.A!;
        var dx = Tensor.AllocateZeroed(x.Shape);
        int rowSize = x.Size / Math.Max(x.Shape[0], 1);
        var idx = n.Ints!;
        var gs = g.AsSpan();
        var ds = dx.Span;
        for (int i = 0; i < idx.Length; i++)
        {
            var dst = ds.Slice(idx[i] * rowSize, rowSize);
            ElementwiseDriver.Binary<AddOp>(dst, gs.Slice(i * rowSize, rowSize), dst);
        }

        n.Accumulate(x, dx);
    };

    private static readonly BackwardFn s_sliceGrad = static (n, g) =>
    {
        var dx = Tensor.AllocateZeroed(n.A!.Shape);
        CopyBlock(dx, n.Ints!, g, forward: false);
        n.Accumulate(n.A, dx);
    };
}
