using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// The catalogue of tensor operations (the subset of <c>keras.ops</c> that layers, losses and
/// metrics need). Every function computes its result at once (eager execution) and, under an
/// active <see cref="GradientTape"/>, records its own gradient, so code written with
/// <see cref="Ops"/> trains without a hand-written backward pass.
/// </summary>
/// <remarks>
/// Binary functions broadcast as NumPy does. Functions never modify their inputs.
/// </remarks>
public static partial class Ops
{
    /// <summary>Element-wise <c>a + b</c> with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary<AddOp>(a, b, s_addGrad, nameof(Add));

    /// <summary>Element-wise <c>a − b</c> with broadcasting.</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => Binary<SubtractOp>(a, b, s_subtractGrad, nameof(Subtract));

    /// <summary>Element-wise <c>a · b</c> with broadcasting.</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary<MultiplyOp>(a, b, s_multiplyGrad, nameof(Multiply));

    /// <summary>Element-wise <c>a / b</c> with broadcasting (IEEE division: x/0 is ±∞ or NaN).</summary>
    public static Tensor Divide(Tensor a, Tensor b) => Binary<DivideOp>(a, b, s_divideGrad, nameof(Divide));

    /// <summary>
    /// Element-wise maximum with broadcasting; NaN if either is NaN. The gradient goes to <paramref name="a"/>
    /// where <c>a ≥ b</c>, otherwise to <paramref name="b"/> (as TensorFlow).
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary<MaximumOp>(a, b, s_maximumGrad, nameof(Maximum));

    /// <summary>
    /// Element-wise minimum with broadcasting; NaN if either is NaN. The gradient goes to <paramref name="a"/>
    /// where <c>a ≤ b</c>, otherwise to <paramref name="b"/>.
    /// </summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary<MinimumOp>(a, b, s_minimumGrad, nameof(Minimum));

    /// <summary>Element-wise <c>a + s</c>.</summary>
    public static Tensor Add(Tensor a, float s) => BinaryScalar<AddOp>(a, s, s_passGrad);

    /// <summary>Element-wise <c>a − s</c>.</summary>
    public static Tensor Subtract(Tensor a, float s) => BinaryScalar<SubtractOp>(a, s, s_passGrad);

    /// <summary>Element-wise <c>s − a</c>.</summary>
    public static Tensor Subtract(float s, Tensor a) => ScalarBinary<SubtractOp>(s, a, s_negateGrad);

    /// <summary>Element-wise <c>a · s</c>.</summary>
    public static Tensor Multiply(Tensor a, float s) => BinaryScalar<MultiplyOp>(a, s, s_scaleGrad);

    /// <summary>Element-wise <c>a / s</c>.</summary>
    public static Tensor Divide(Tensor a, float s) => BinaryScalar<DivideOp>(a, s, s_divideByScalarGrad);

    /// <summary>Element-wise <c>s / a</c>.</summary>
    public static Tensor Divide(float s, Tensor a) => ScalarBinary<DivideOp>(s, a, s_scalarDivideGrad);

    /// <summary>Element-wise <c>max(a, s)</c>; the gradient flows where <c>a ≥ s</c>.</summary>
    public static Tensor Maximum(Tensor a, float s) => BinaryScalar<MaximumOp>(a, s, s_maximumScalarGrad);

    /// <summary>Element-wise <c>min(a, s)</c>; the gradient flows where <c>a ≤ s</c>.</summary>
    public static Tensor Minimum(Tensor a, float s) => BinaryScalar<MinimumOp>(a, s, s_minimumScalarGrad);

    /// <summary>Element-wise <c>−x</c>.</summary>
    public static Tensor Negative(Tensor x) => Unary<NegateOp>(x, s_negateGrad);

    /// <summary>Element-wise <c>x^p</c> for a constant exponent.</summary>
    public static Tensor Power(Tensor x, float p)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        var xs = x.AsSpan();
        var ys = y.Span;
        if (p == 2f)
        {
            ElementwiseDriver.Unary<SquareOp>(xs, ys);
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Pow(xs, p, ys);
        }

        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_powerScalarGrad, x).F0 = p;
        }

        return y;
    }

    /// <summary>Element-wise <c>a^b</c> with broadcasting.</summary>
    public static Tensor Power(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Broadcasting.ResultShape(a.Shape, b.Shape, nameof(Power));
        var y = Tensor.Allocate(shape);
        var ab = BroadcastTo(a, shape, record: false);
        var bb = BroadcastTo(b, shape, record: false);
        System.Numerics.Tensors.TensorPrimitives.Pow(ab.AsSpan(), bb.AsSpan(), y.Span);
        GradientTape.ShouldRecord(a, b)?.Record(y, s_powerGrad, a, b);
        return y;
    }

    // ---- shared drivers -------------------------------------------------------------------

    private static Tensor Binary<TOp>(Tensor a, Tensor b, BackwardFn? backward, string name)
        where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Broadcasting.ResultShape(a.Shape, b.Shape, name);
        var y = Tensor.Allocate(shape);
        Broadcasting.Binary<TOp>(a, b, y);
        if (backward is not null)
        {
            GradientTape.ShouldRecord(a, b)?.Record(y, backward, a, b);
        }

        return y;
    }

    private static Tensor BinaryScalar<TOp>(Tensor a, float s, BackwardFn? backward)
        where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Tensor.Allocate(a.Shape);
        ElementwiseDriver.BinaryScalar<TOp>(a.AsSpan(), s, y.Span);
        if (backward is not null)
        {
            var tape = GradientTape.ShouldRecord(a);
            if (tape is not null)
            {
                tape.Record(y, backward, a).F0 = s;
            }
        }

        return y;
    }

    private static Tensor ScalarBinary<TOp>(float s, Tensor a, BackwardFn? backward)
        where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = Tensor.Allocate(a.Shape);
        ElementwiseDriver.ScalarBinary<TOp>(s, a.AsSpan(), y.Span);
        if (backward is not null)
        {
            var tape = GradientTape.ShouldRecord(a);
            if (tape is not null)
            {
                tape.Record(y, backward, a).F0 = s;
            }
        }

        return y;
    }

    private static Tensor Unary<TOp>(Tensor x, BackwardFn? backward)
        where TOp : IUnaryOp
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        ElementwiseDriver.Unary<TOp>(x.AsSpan(), y.Span);
        if (backward is not null)
        {
            GradientTape.ShouldRecord(x)?.Record(y, backward, x);
        }

        return y;
    }

    /// <summary>Elementwise kernel of two same-shape tensors, with no recording (for backward passes).</summary>
    internal static Tensor Apply<TOp>(Tensor a, Tensor b)
        where TOp : IBinaryOp
    {
        var y = Tensor.Allocate(a.Shape);
        ElementwiseDriver.Binary<TOp>(a.AsSpan(), b.AsSpan(), y.Span);
        return y;
    }

    /// <summary>Sums <paramref name="x"/> over broadcast axes so it has <paramref name="shape"/> (the reverse of broadcasting).</summary>
    internal static Tensor SumToShape(Tensor x, Shape shape)
    {
        if (x.Shape == shape)
        {
            return x;
        }

        var y = Tensor.Allocate(shape);
        Broadcasting.SumTo(x, y);
        return y;
    }

    // ---- gradients ------------------------------------------------------------------------

    private static readonly BackwardFn s_addGrad = static (n, g) =>
    {
        n.Accumulate(n.A, g);
        n.Accumulate(n.B, g);
    };

    private static readonly BackwardFn s_subtractGrad = static (n, g) =>
    {
        n.Accumulate(n.A, g);
        if (n.Needs(n.B))
        {
            n.Accumulate(n.B, Negative(g));
        }
    };

    private static readonly BackwardFn s_multiplyGrad = static (n, g) =>
    {
        if (n.Needs(n.A))
        {
            n.Accumulate(n.A, Multiply(g, n.B!));
        }

        if (n.Needs(n.B))
        {
            n.Accumulate(n.B, Multiply(g, n.A!));
        }
    };

    private static readonly BackwardFn s_divideGrad = static (n, g) =>
    {
        if (n.Needs(n.A))
        {
            n.Accumulate(n.A, Divide(g, n.B!));
        }

        if (n.Needs(n.B))
        {
            // d(a/b)/db = -(a/b)/b = -y/b
            n.Accumulate(n.B, Negative(Divide(Multiply(g, n.Output), n.B!)));
        }
    };

    private static readonly BackwardFn s_maximumGrad = static (n, g) =>
    {
        var mask = Binary<GreaterEqualOp>(n.A!, n.B!, null, nameof(Maximum));
        if (n.Needs(n.A))
        {
            n.Accumulate(n.A, Multiply(g, mask));
        }

        if (n.Needs(n.B))
        {
            n.Accumulate(n.B, Multiply(g, Subtract(1f, mask)));
        }
    };

    private static readonly BackwardFn s_minimumGrad = static (n, g) =>
    {
        var mask = Binary<LessEqualOp>(n.A!, n.B!, null, nameof(Minimum));
        if (n.Needs(n.A))
        {
            n.Accumulate(n.A, Multiply(g, mask));
        }

        if (n.Needs(n.B))
        {
            n.Accumulate(n.B, Multiply(g, Subtract(1f, mask)));
        }
    };

    private static readonly BackwardFn s_passGrad = static (n, g) => n.Accumulate(n.A, g);

    private static readonly BackwardFn s_negateGrad = static (n, g) => n.Accumulate(n.A, Negative(g));

    private static readonly BackwardFn s_scaleGrad = static (n, g) => n.Accumulate(n.A, Multiply(g, n.F0));

    private static readonly BackwardFn s_divideByScalarGrad = static (n, g) => n.Accumulate(n.A, Divide(g, n.F0));

    // d(s/a)/da = -s/a² = -y/a
    private static readonly BackwardFn s_scalarDivideGrad = static (n, g) =>
        n.Accumulate(n.A, Negative(Divide(Multiply(g, n.Output), n.A!)));

    private static readonly BackwardFn s_maximumScalarGrad = static (n, g) =>
        n.Accumulate(n.A, Multiply(g, BinaryScalar<GreaterEqualOp>(n.A!, n.F0, null)));

    private static readonly BackwardFn s_minimumScalarGrad = static (n, g) =>
        n.Accumulate(n.A, Multiply(g, BinaryScalar<LessEqualOp>(n.A!, n.F0, null)));

    // d(x^p)/dx = p·x^(p-1)
    private static readonly BackwardFn s_powerScalarGrad = static (n, g) =>
    {
        float p = n.F0;
        var d = p == 2f ? Multiply(n.A!, 2f) : Multiply(Power(n.A!, p - 1f), p);
        n.Accumulate(n.A, Multiply(g, d));
    };

    private static readonly BackwardFn s_powerGrad = static (n, g) =>
    {
        var a = n.A!;
        var b = n.B!;
        if (n.Needs(a))
        {
            n.Accumulate(a, Multiply(g, Multiply(b, Power(a, Subtract(b, 1f)))));
        }

        if (n.Needs(b))
        {
            // d(a^b)/db = a^b·log(a), taken as 0 where a <= 0 (as TensorFlow).
            var safeLog = Where(Greater(a, 0f), Log(Maximum(a, float.Epsilon)), ZerosLike(a));
            n.Accumulate(b, Multiply(g, Multiply(n.Output, safeLog)));
        }
    };
}
