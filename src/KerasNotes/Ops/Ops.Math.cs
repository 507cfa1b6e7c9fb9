using System.Numerics.Tensors;
using KerasNotes.Kernels;

namespace KerasNotes;

public static partial class Ops
{
    /// <summary>Element-wise <c>x²</c>.</summary>
    public static Tensor Square(Tensor x) => Unary<SquareOp>(x, s_squareGrad);

    /// <summary>Element-wise square root (NaN for negative inputs).</summary>
    public static Tensor Sqrt(Tensor x) => Unary<SqrtOp>(x, s_sqrtGrad);

    /// <summary>Element-wise absolute value; its gradient is <c>sign(x)</c> (0 at 0).</summary>
    public static Tensor Abs(Tensor x) => Unary<AbsOp>(x, s_absGrad);

    /// <summary>Element-wise sign: −1, 0 or 1 (no gradient flows through it).</summary>
    public static Tensor Sign(Tensor x) => Unary<SignOp>(x, null);

    /// <summary>Element-wise floor (no gradient flows through it).</summary>
    public static Tensor Floor(Tensor x) => Unary<FloorOp>(x, null);

    /// <summary>Element-wise rounding half to even, as NumPy (no gradient flows through it).</summary>
    public static Tensor Round(Tensor x) => Unary<RoundOp>(x, null);

    /// <summary>Element-wise <c>1 / x</c>.</summary>
    public static Tensor Reciprocal(Tensor x) => Divide(1f, x);

    /// <summary>Element-wise <c>eˣ</c>.</summary>
    public static Tensor Exp(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        TensorPrimitives.Exp(x.AsSpan(), y.Span);
        GradientTape.ShouldRecord(x)?.Record(y, s_expGrad, x);
        return y;
    }

    /// <summary>Element-wise natural logarithm (−∞ at 0, NaN below 0).</summary>
    public static Tensor Log(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        TensorPrimitives.Log(x.AsSpan(), y.Span);
        GradientTape.ShouldRecord(x)?.Record(y, s_logGrad, x);
        return y;
    }

    /// <summary>Element-wise <c>log(1 + x)</c>, accurate for small <paramref name="x"/>.</summary>
    public static Tensor Log1p(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        MathKernels.Log1p(x.AsSpan(), y.Span);
        GradientTape.ShouldRecord(x)?.Record(y, s_log1pGrad, x);
        return y;
    }

    /// <summary>Element-wise hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        TensorPrimitives.Tanh(x.AsSpan(), y.Span);
        GradientTape.ShouldRecord(x)?.Record(y, s_tanhGrad, x);
        return y;
    }

    /// <summary>Element-wise logistic sigmoid <c>1 / (1 + e⁻ˣ)</c>. The result carries its logits for crossentropy (as Keras's TF backend).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        MathKernels.Sigmoid(x.AsSpan(), y.Span);
        y.Logits = x;
        y.LogitsKind = LogitsKind.Sigmoid;
        GradientTape.ShouldRecord(x)?.Record(y, s_sigmoidGrad, x);
        return y;
    }

    /// <summary>Element-wise <c>log(1 + eˣ)</c>, computed stably as <c>max(x, 0) + log1p(e^−|x|)</c>.</summary>
    public static Tensor Softplus(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        MathKernels.Softplus(x.AsSpan(), y.Span);
        GradientTape.ShouldRecord(x)?.Record(y, s_softplusGrad, x);
        return y;
    }

    /// <summary>
    /// Clips every element to <c>[min, max]</c>. The gradient passes where <c>min ≤ x ≤ max</c> and is 0 elsewhere
    /// (TensorFlow's <c>clip_by_value</c>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="min"/> is greater than <paramref name="max"/>.</exception>
    public static Tensor Clip(Tensor x, float min, float max)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (min > max)
        {
            throw new ArgumentException($"Clip: 'min' ({min}) must not exceed 'max' ({max}).", nameof(min));
        }

        var y = Tensor.Allocate(x.Shape);
        var t = Tensor.Allocate(x.Shape);
        ElementwiseDriver.BinaryScalar<MaximumOp>(x.AsSpan(), min, t.Span);
        ElementwiseDriver.BinaryScalar<MinimumOp>(t.AsSpan(), max, y.Span);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            var node = tape.Record(y, s_clipGrad, x);
            node.F0 = min;
            node.F1 = max;
        }

        return y;
    }

    /// <summary>
    /// Picks <paramref name="a"/> where <paramref name="condition"/> is non-zero and <paramref name="b"/> elsewhere,
    /// broadcasting all three. The gradient flows to the branch that was picked.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Broadcasting.ResultShape(Broadcasting.ResultShape(condition.Shape, a.Shape, nameof(Where)), b.Shape, nameof(Where));
        var c = BroadcastTo(condition, shape, record: false).AsSpan();
        var av = BroadcastTo(a, shape, record: false).AsSpan();
        var bv = BroadcastTo(b, shape, record: false).AsSpan();
        var y = Tensor.Allocate(shape);
        var ys = y.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i] = c[i] != 0f ? av[i] : bv[i];
        }

        GradientTape.ShouldRecord(a, b)?.Record(y, s_whereGrad, a, b, condition);
        return y;
    }

    /// <summary>1 where <c>a &gt; b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor Greater(Tensor a, Tensor b) => Binary<GreaterOp>(a, b, null, nameof(Greater));

    /// <summary>1 where <c>a ≥ b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor GreaterEqual(Tensor a, Tensor b) => Binary<GreaterEqualOp>(a, b, null, nameof(GreaterEqual));

    /// <summary>1 where <c>a &lt; b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor Less(Tensor a, Tensor b) => Binary<LessOp>(a, b, null, nameof(Less));

    /// <summary>1 where <c>a ≤ b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor LessEqual(Tensor a, Tensor b) => Binary<LessEqualOp>(a, b, null, nameof(LessEqual));

    /// <summary>1 where <c>a == b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor Equal(Tensor a, Tensor b) => Binary<EqualOp>(a, b, null, nameof(Equal));

    /// <summary>1 where <c>a != b</c>, else 0 (broadcasting; no gradient).</summary>
    public static Tensor NotEqual(Tensor a, Tensor b) => Binary<NotEqualOp>(a, b, null, nameof(NotEqual));

    /// <summary>1 where <c>a &gt; s</c>, else 0 (no gradient).</summary>
    public static Tensor Greater(Tensor a, float s) => BinaryScalar<GreaterOp>(a, s, null);

    /// <summary>1 where <c>a ≥ s</c>, else 0 (no gradient).</summary>
    public static Tensor GreaterEqual(Tensor a, float s) => BinaryScalar<GreaterEqualOp>(a, s, null);

    /// <summary>1 where <c>a &lt; s</c>, else 0 (no gradient).</summary>
    public static Tensor Less(Tensor a, float s) => BinaryScalar<LessOp>(a, s, null);

    /// <summary>1 where <c>a ≤ s</c>, else 0 (no gradient).</summary>
    public static Tensor LessEqual(Tensor a, float s) => BinaryScalar<LessEqualOp>(a, s, null);

    /// <summary>1 where <c>a == s</c>, else 0 (no gradient).</summary>
    public static Tensor Equal(Tensor a, float s) => BinaryScalar<EqualOp>(a, s, null);

    /// <summary>1 where the element is NaN, else 0 (no gradient).</summary>
    public static Tensor IsNan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        var xs = x.AsSpan();
        var ys = y.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            ys[i] = float.IsNaN(xs[i]) ? 1f : 0f;
        }

        return y;
    }

    private static readonly BackwardFn s_squareGrad = static (n, g) => n.Accumulate(n.A, Multiply(g, Multiply(n.A!, 2f)));

    private static readonly BackwardFn s_sqrtGrad = static (n, g) => n.Accumulate(n.A, Divide(Multiply(g, 0.5f), n.Output));

    private static readonly BackwardFn s_absGrad = static (n, g) => n.Accumulate(n.A, Multiply(g, Sign(n.A!)));

    private static readonly BackwardFn s_expGrad = static (n, g) => n.Accumulate(n.A, Multiply(g, n.Output));

    private static readonly BackwardFn s_logGrad = static (n, g) => n.Accumulate(n.A, Divide(g, n.A!));

    private static readonly BackwardFn s_log1pGrad = static (n, g) => n.Accumulate(n.A, Divide(g, Add(n.A!, 1f)));

    private static readonly BackwardFn s_tanhGrad = static (n, g) => n.Accumulate(n.A, Apply<TanhGradOp>(g, n.Output));

    private static readonly BackwardFn s_sigmoidGrad = static (n, g) => n.Accumulate(n.A, Apply<SigmoidGradOp>(g, n.Output));

    private static readonly BackwardFn s_softplusGrad = static (n, g) =>
    {
        var s = Tensor.Allocate(n.A!.Shape);
        MathKernels.Sigmoid(n.A.AsSpan(), s.Span);
        n.Accumulate(n.A, Multiply(g, s));
    };

    private static readonly BackwardFn s_clipGrad = static (n, g) =>
    {
        var x = n.A!;
        var dx = Tensor.Allocate(x.Shape);
        var xs = x.AsSpan();
        var gs = g.AsSpan();
        var ds = dx.Span;
        float min = n.F0, max = n.F1;
        for (int i = 0; i < ds.Length; i++)
        {
            ds[i] = xs[i] >= min && xs[i] <= max ? gs[i] : 0f;
        }

        n.Accumulate(x, dx);
    };

    private static readonly BackwardFn s_whereGrad = static (n, g) =>
    {
        var cond = NotEqual(BroadcastTo(n.C!, g.Shape, record: false), ZerosLike(g));
        if (n.Needs(n.A))
        {
            n.Accumulate(n.A, Multiply(g, cond));
        }

        if (n.Needs(n.B))
        {
            n.Accumulate(n.B, Multiply(g, Subtract(1f, cond)));
        }
    };
}
