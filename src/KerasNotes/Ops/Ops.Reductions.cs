using KerasNotes.Kernels;

namespace KerasNotes;

public static partial class Ops
{
    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1 when all are finite (vectorised).</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values) => Reductions.FirstNonFinite(values);

    /// <summary>The sum of <paramref name="values"/> in the kernels' fixed order (vectorised), for metrics that accumulate over batches.</summary>
    internal static float SumOf(ReadOnlySpan<float> values) => Reductions.Sum(values);

    /// <summary><c>destination[i] = source[i] · scale</c> for bytes, vectorised (images streamed as uint8).</summary>
    internal static void ScaleBytes(ReadOnlySpan<byte> source, float scale, Span<float> destination) => DataKernels.ScaleBytes(source, scale, destination);

    private enum ReduceKind
    {
        Sum,
        Mean,
        Max,
        Min,
    }

    /// <summary>The sum over <paramref name="axis"/> (all axes when null).</summary>
    /// <param name="x">The input.</param>
    /// <param name="axis">The axis to reduce (negative counts from the end), or null for all axes.</param>
    /// <param name="keepDims">Keep reduced axes with size 1.</param>
    public static Tensor Sum(Tensor x, int? axis = null, bool keepDims = false) => Reduce(x, AxisList(axis), keepDims, ReduceKind.Sum, nameof(Sum));

    /// <summary>The sum over several axes.</summary>
    public static Tensor Sum(Tensor x, int[] axes, bool keepDims = false) => Reduce(x, axes, keepDims, ReduceKind.Sum, nameof(Sum));

    /// <summary>The mean over <paramref name="axis"/> (all axes when null).</summary>
    public static Tensor Mean(Tensor x, int? axis = null, bool keepDims = false) => Reduce(x, AxisList(axis), keepDims, ReduceKind.Mean, nameof(Mean));

    /// <summary>The mean over several axes.</summary>
    public static Tensor Mean(Tensor x, int[] axes, bool keepDims = false) => Reduce(x, axes, keepDims, ReduceKind.Mean, nameof(Mean));

    /// <summary>The maximum over <paramref name="axis"/> (all axes when null); the gradient is shared among ties.</summary>
    public static Tensor Max(Tensor x, int? axis = null, bool keepDims = false) => Reduce(x, AxisList(axis), keepDims, ReduceKind.Max, nameof(Max));

    /// <summary>The minimum over <paramref name="axis"/> (all axes when null); the gradient is shared among ties.</summary>
    public static Tensor Min(Tensor x, int? axis = null, bool keepDims = false) => Reduce(x, AxisList(axis), keepDims, ReduceKind.Min, nameof(Min));

    /// <summary>The index of the largest element along <paramref name="axis"/> (the first one on ties), as floats; no gradient.</summary>
    public static Tensor ArgMax(Tensor x, int axis = -1) => ArgReduce(x, axis, max: true);

    /// <summary>The index of the smallest element along <paramref name="axis"/> (the first one on ties), as floats; no gradient.</summary>
    public static Tensor ArgMin(Tensor x, int axis = -1) => ArgReduce(x, axis, max: false);

    /// <summary><c>log(Σ exp(x))</c> over <paramref name="axis"/>, computed stably.</summary>
    public static Tensor LogSumExp(Tensor x, int axis = -1, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        // Shift by the max for stability, but by 0 where the max is not finite (all -inf gives -inf, as TensorFlow).
        var m = Max(x, axis, keepDims: true);
        var mConst = Tensor.Allocate(m.Shape);
        var ms = m.AsSpan();
        var cs = mConst.Span;
        for (int i = 0; i < cs.Length; i++)
        {
            cs[i] = float.IsFinite(ms[i]) ? ms[i] : 0f;
        }

        var lse = Add(Log(Sum(Exp(Subtract(x, mConst)), axis, keepDims: true)), mConst);
        return keepDims ? lse : Squeeze(lse, axis);
    }

    /// <summary>The variance (biased, divide by N) over <paramref name="axis"/>.</summary>
    public static Tensor Var(Tensor x, int? axis = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        var axes = AxisList(axis);
        var mean = Reduce(x, axes, keepDims: true, ReduceKind.Mean, nameof(Var));
        return Reduce(Square(Subtract(x, mean)), axes, keepDims, ReduceKind.Mean, nameof(Var));
    }

    /// <summary>The standard deviation (biased) over <paramref name="axis"/>.</summary>
    public static Tensor Std(Tensor x, int? axis = null, bool keepDims = false) => Sqrt(Var(x, axis, keepDims));

    private static int[]? AxisList(int? axis) => axis is int a ? [a] : null;

    private static Tensor Reduce(Tensor x, int[]? axes, bool keepDims, ReduceKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(x);
        var inShape = x.Shape;
        int rank = inShape.Rank;
        Span<bool> reduced = stackalloc bool[Math.Max(rank, 1)];
        reduced.Clear();
        if (axes is null)
        {
            reduced.Fill(true);
        }
        else
        {
            foreach (int a in axes)
            {
                int na = a < 0 ? a + rank : a;
                if ((uint)na >= (uint)rank)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(axes), a, $"{name}: axis {a} is out of range for a tensor of shape {inShape}.");
                }

                reduced[na] = true;
            }
        }

        // Reduce one axis at a time, keeping size-1 dims so positions stay put.
        Tensor current = x;
        int count = 1;
        for (int ax = 0; ax < rank; ax++)
        {
            if (!reduced[ax])
            {
                continue;
            }

            var s = current.Shape;
            int outer = s.Product(0, ax), n = s[ax], inner = s.Product(ax + 1, rank);
            count *= n;
            var dest = Tensor.Allocate(s.With(ax, 1));
            var src = current.AsSpan();
            switch (kind)
            {
                case ReduceKind.Sum:
                case ReduceKind.Mean:
                    Reductions.SumAxis(src, outer, n, inner, dest.Span);
                    break;
                case ReduceKind.Max:
                    Reductions.MaxAxis(src, outer, n, inner, dest.Span);
                    break;
                default:
                    Reductions.MinAxis(src, outer, n, inner, dest.Span);
                    break;
            }

            current = dest;
        }

        if (ReferenceEquals(current, x))
        {
            current = Tensor.Allocate(x.Shape);
            x.AsSpan().CopyTo(current.Span);
        }

        if (kind == ReduceKind.Mean)
        {
            // Division by 0 elements yields NaN, as numpy's mean of an empty axis.
            var cs = current.Span;
            ElementwiseDriver.BinaryScalar<DivideOp>(cs, count, cs);
        }

        var keptShape = current.Shape;
        Tensor result = keepDims ? current : current.View(SqueezeShape(keptShape, reduced, rank));
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            var node = tape.Record(result, s_reduceGrad, x);
            node.I0 = (int)kind;
            node.I1 = count;
            node.Saved0 = current; // the result with reduced axes kept (for broadcasting back)
        }

        return result;
    }

    private static Shape SqueezeShape(Shape kept, ReadOnlySpan<bool> reduced, int rank)
    {
        Span<int> dims = stackalloc int[rank];
        int r = 0;
        for (int i = 0; i < rank; i++)
        {
            if (!reduced[i])
            {
                dims[r++] = kept[i];
            }
        }

        return new Shape(dims[..r]);
    }

    private static readonly BackwardFn s_reduceGrad = static (n, g) =>
    {
        var x = n.A!;
        var kept = n.Saved0!;
        var gKept = g.View(kept.Shape);
        var kind = (ReduceKind)n.I0;
        Tensor dx;
        switch (kind)
        {
            case ReduceKind.Sum:
                dx = BroadcastTo(gKept, x.Shape, record: false);
                break;
            case ReduceKind.Mean:
                dx = BroadcastTo(Divide(gKept, n.I1), x.Shape, record: false);
                break;
            default:
                {
                    // Share the gradient equally among the tied extrema, as TensorFlow does.
                    var mask = Equal(x, kept);
                    int[] axes = ReducedAxes(x.Shape, kept.Shape);
                    var ties = Sum(mask, axes, keepDims: true);
                    dx = Multiply(mask, Divide(gKept, ties));
                    break;
                }
        }

        n.Accumulate(x, dx);
    };

    private static int[] ReducedAxes(Shape full, Shape kept)
    {
        var list = new List<int>();
        for (int i = 0; i < full.Rank; i++)
        {
            if (kept[i] == 1 && full[i] != 1)
            {
                list.Add(i);
            }
        }

        return [.. list];
    }

    private static Tensor ArgReduce(Tensor x, int axis, bool max)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = x.Shape;
        int ax = s.NormalizeAxis(axis);
        int outer = s.Product(0, ax), n = s[ax], inner = s.Product(ax + 1, s.Rank);
        var kept = Tensor.Allocate(s.With(ax, 1));
        if (max)
        {
            Reductions.ArgMaxAxis(x.AsSpan(), outer, n, inner, kept.Span);
        }
        else
        {
            Reductions.ArgMinAxis(x.AsSpan(), outer, n, inner, kept.Span);
        }

        Span<bool> reduced = stackalloc bool[s.Rank];
        reduced.Clear();
        reduced[ax] = true;
        return kept.View(SqueezeShape(kept.Shape, reduced, s.Rank));
    }
}
