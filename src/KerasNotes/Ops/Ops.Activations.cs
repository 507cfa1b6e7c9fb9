using KerasNotes.Kernels;
using MathNet.Numerics;

namespace KerasNotes;

public static partial class Ops
{
    private const float SeluAlpha = 1.6732632423543772848170429916717f;
    private const float SeluScale = 1.0507009873554804934193349852946f;

    /// <summary>Softmax along <paramref name="axis"/>. The result carries its logits for crossentropy (as Keras's TF backend).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (outer, n, inner) = AxisView(x.Shape, axis);
        var y = Tensor.Allocate(x.Shape);
        SoftmaxKernels.Softmax(x.AsSpan(), y.Span, outer, n, inner);
        if (inner == 1)
        {
            y.Logits = x;
            y.LogitsKind = LogitsKind.Softmax;
        }

        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_softmaxGrad, x).I0 = x.Shape.NormalizeAxis(axis);
        }

        return y;
    }

    /// <summary>Log-softmax along <paramref name="axis"/>: <c>x − logsumexp(x)</c>, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (outer, n, inner) = AxisView(x.Shape, axis);
        var y = Tensor.Allocate(x.Shape);
        SoftmaxKernels.LogSoftmax(x.AsSpan(), y.Span, outer, n, inner);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            tape.Record(y, s_logSoftmaxGrad, x).I0 = x.Shape.NormalizeAxis(axis);
        }

        return y;
    }

    /// <summary>Rectified linear unit <c>max(x, 0)</c>; its gradient at exactly 0 is 0 (as TensorFlow).</summary>
    public static Tensor Relu(Tensor x) => Unary<ReluOp>(x, s_reluGrad);

    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static Tensor Relu6(Tensor x) =>
        Pointwise(x, 0f, 0f, static (v, _, _) => MathF.Min(MathF.Max(v, 0f), 6f), static (v, _, _, _) => v > 0f && v < 6f ? 1f : 0f);

    /// <summary>Leaky ReLU: <c>x</c> for x &gt; 0, else <c>negativeSlope · x</c> (Keras default slope 0.2).</summary>
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.2f) =>
        Pointwise(x, negativeSlope, 0f, static (v, a, _) => v > 0f ? v : a * v, static (v, _, a, _) => v > 0f ? 1f : a);

    /// <summary>Exponential linear unit: <c>x</c> for x &gt; 0, else <c>alpha·(eˣ − 1)</c>.</summary>
    public static Tensor Elu(Tensor x, float alpha = 1f) =>
        Pointwise(x, alpha, 0f, static (v, a, _) => v > 0f ? v : a * (MathF.Exp(v) - 1f), static (v, y, a, _) => v > 0f ? 1f : y + a);

    /// <summary>Scaled ELU with Keras's constants (alpha ≈ 1.6733, scale ≈ 1.0507).</summary>
    public static Tensor Selu(Tensor x) =>
        Pointwise(
            x,
            SeluAlpha,
            SeluScale,
            static (v, a, s) => v > 0f ? s * v : s * a * (MathF.Exp(v) - 1f),
            static (v, y, a, s) => v > 0f ? s : y + (s * a));

    /// <summary>Softsign <c>x / (|x| + 1)</c>.</summary>
    public static Tensor Softsign(Tensor x) =>
        Pointwise(x, 0f, 0f, static (v, _, _) => v / (MathF.Abs(v) + 1f), static (v, _, _, _) => 1f / ((MathF.Abs(v) + 1f) * (MathF.Abs(v) + 1f)));

    /// <summary>SiLU / swish: <c>x · sigmoid(x)</c>.</summary>
    public static Tensor Silu(Tensor x) =>
        Pointwise(
            x,
            0f,
            0f,
            static (v, _, _) => v / (1f + MathF.Exp(-v)),
            static (v, _, _, _) =>
            {
                float s = 1f / (1f + MathF.Exp(-v));
                return s * (1f + (v * (1f - s)));
            });

    /// <summary>Hard sigmoid, Keras 3 form: <c>relu6(x + 3) / 6</c>.</summary>
    public static Tensor HardSigmoid(Tensor x) =>
        Pointwise(x, 0f, 0f, static (v, _, _) => MathF.Min(MathF.Max(v + 3f, 0f), 6f) / 6f, static (v, _, _, _) => v > -3f && v < 3f ? 1f / 6f : 0f);

    /// <summary>Hard SiLU: <c>x · relu6(x + 3) / 6</c>.</summary>
    public static Tensor HardSilu(Tensor x) =>
        Pointwise(
            x,
            0f,
            0f,
            static (v, _, _) => v * MathF.Min(MathF.Max(v + 3f, 0f), 6f) / 6f,
            static (v, _, _, _) => v <= -3f ? 0f : v >= 3f ? 1f : ((2f * v) + 3f) / 6f);

    /// <summary>Mish: <c>x · tanh(softplus(x))</c>.</summary>
    public static Tensor Mish(Tensor x) =>
        Pointwise(
            x,
            0f,
            0f,
            static (v, _, _) => v * MathF.Tanh(MathKernels.Softplus(v)),
            static (v, _, _, _) =>
            {
                float t = MathF.Tanh(MathKernels.Softplus(v));
                float s = 1f / (1f + MathF.Exp(-v));
                return t + (v * (1f - (t * t)) * s);
            });

    /// <summary>
    /// Gaussian error linear unit. Exact form <c>0.5·x·(1 + erf(x/√2))</c> (Keras default), or the tanh
    /// approximation when <paramref name="approximate"/> is set.
    /// </summary>
    public static Tensor Gelu(Tensor x, bool approximate = false) => approximate
        ? Pointwise(
            x,
            0f,
            0f,
            static (v, _, _) =>
            {
                const float C = 0.7978845608028654f;
                return 0.5f * v * (1f + MathF.Tanh(C * (v + (0.044715f * v * v * v))));
            },
            static (v, _, _, _) =>
            {
                const float C = 0.7978845608028654f;
                float inner = C * (v + (0.044715f * v * v * v));
                float t = MathF.Tanh(inner);
                return (0.5f * (1f + t)) + (0.5f * v * (1f - (t * t)) * C * (1f + (3f * 0.044715f * v * v)));
            })
        : Pointwise(
            x,
            0f,
            0f,
            static (v, _, _) => (float)(0.5 * v * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0)))),
            static (v, _, _, _) => (float)((0.5 * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0)))) + (v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2.0 * Math.PI))));

    private static (int Outer, int N, int Inner) AxisView(Shape shape, int axis)
    {
        int ax = shape.NormalizeAxis(axis);
        return (shape.Product(0, ax), shape[ax], shape.Product(ax + 1, shape.Rank));
    }

    /// <summary>f(value, p0, p1).</summary>
    private delegate float PointwiseFn(float value, float p0, float p1);

    /// <summary>f'(value, output, p0, p1).</summary>
    private delegate float PointwiseGradFn(float value, float output, float p0, float p1);

    private sealed class PointwiseState(PointwiseGradFn grad)
    {
        public PointwiseGradFn Grad { get; } = grad;
    }

    private static readonly Dictionary<PointwiseGradFn, PointwiseState> s_pointwiseStates = [];

    // A scalar element-wise function with a closed-form derivative; used for the less common activations.
    private static Tensor Pointwise(Tensor x, float p0, float p1, PointwiseFn f, PointwiseGradFn df)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Allocate(x.Shape);
        var xs = x.AsSpan();
        var ys = y.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            ys[i] = f(xs[i], p0, p1);
        }

        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            PointwiseState? state;
            lock (s_pointwiseStates)
            {
                if (!s_pointwiseStates.TryGetValue(df, out state))
                {
                    state = new PointwiseState(df);
                    s_pointwiseStates[df] = state;
                }
            }

            var node = tape.Record(y, s_pointwiseGrad, x);
            node.F0 = p0;
            node.F1 = p1;
            node.State = state;
        }

        return y;
    }

    private static readonly BackwardFn s_pointwiseGrad = static (n, g) =>
    {
        var df = ((PointwiseState)n.State!).Grad;
        var x = n.A!;
        var dx = Tensor.Allocate(x.Shape);
        var xs = x.AsSpan();
        var ys = n.Output.AsSpan();
        var gs = g.AsSpan();
        var ds = dx.Span;
        for (int i = 0; i < ds.Length; i++)
        {
            ds[i] = gs[i] * df(xs[i], ys[i], n.F0, n.F1);
        }

        n.Accumulate(x, dx);
    };

    private static readonly BackwardFn s_reluGrad = static (n, g) => n.Accumulate(n.A, Apply<ReluGradOp>(g, n.A!));

    private static readonly BackwardFn s_softmaxGrad = static (n, g) =>
    {
        var (outer, count, inner) = AxisView(n.Output.Shape, n.I0);
        var dx = Tensor.Allocate(n.Output.Shape);
        SoftmaxKernels.SoftmaxGrad(n.Output.AsSpan(), g.AsSpan(), dx.Span, outer, count, inner);
        n.Accumulate(n.A, dx);
    };

    private static readonly BackwardFn s_logSoftmaxGrad = static (n, g) =>
    {
        var (outer, count, inner) = AxisView(n.Output.Shape, n.I0);
        var dx = Tensor.Allocate(n.Output.Shape);
        SoftmaxKernels.LogSoftmaxGrad(n.Output.AsSpan(), g.AsSpan(), dx.Span, outer, count, inner);
        n.Accumulate(n.A, dx);
    };
}
