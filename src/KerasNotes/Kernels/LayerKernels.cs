using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>
/// The fused passes behind Dense, BatchNormalization and Dropout: one sweep over memory where a
/// chain of ops would make several, with the same arithmetic as the chain.
/// </summary>
internal static class LayerKernels
{
    /// <summary>z[r, :] = act(z[r, :] + bias) for every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BiasActivation(Span<float> z, ReadOnlySpan<float> bias, int rows, int cols, FusedActivation act)
    {
        if (!bias.IsEmpty)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = z.Slice(r * cols, cols);
                ElementwiseDriver.Binary<AddOp>(row, bias, row);
                if (act == FusedActivation.Relu)
                {
                    // Apply while the row is in L1.
                    ElementwiseDriver.Unary<ReluOp>(row, row);
                }
            }

            if (act == FusedActivation.Relu)
            {
                return;
            }
        }

        switch (act)
        {
            case FusedActivation.Relu:
                ElementwiseDriver.Unary<ReluOp>(z, z);
                break;
            case FusedActivation.Sigmoid:
                TensorPrimitives.Sigmoid(z, z);
                break;
            case FusedActivation.Tanh:
                TensorPrimitives.Tanh(z, z);
                break;
        }
    }

    /// <summary>dz = dy ⊙ act'(z), with act' taken from the output y.</summary>
    public static void ActivationGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dz, FusedActivation act)
    {
        switch (act)
        {
            case FusedActivation.Relu:
                // y > 0 exactly where z > 0 (relu'(0) = 0).
                ElementwiseDriver.Binary<ReluGradOp>(dy, y, dz);
                break;
            case FusedActivation.Sigmoid:
                ElementwiseDriver.Binary<SigmoidGradOp>(dy, y, dz);
                break;
            case FusedActivation.Tanh:
                ElementwiseDriver.Binary<TanhGradOp>(dy, y, dz);
                break;
            default:
                dy.CopyTo(dz);
                break;
        }
    }

    /// <summary>
    /// Batch statistics over the rows of x viewed as [rows, cols]: the mean and the biased variance
    /// (two-pass: Σ(x − mean)² / rows, as TensorFlow's moments). Rows are added in order on every path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Moments(ReadOnlySpan<float> x, int rows, int cols, Span<float> mean, Span<float> variance)
    {
        mean.Clear();
        variance.Clear();
        for (int r = 0; r < rows; r++)
        {
            RowAccumulate(x.Slice(r * cols, cols), mean);
        }

        float n = rows;
        ElementwiseDriver.BinaryScalar<DivideOp>(mean, n, mean);
        for (int r = 0; r < rows; r++)
        {
            RowAccumulateSquaredDeviation(x.Slice(r * cols, cols), mean, variance);
        }

        ElementwiseDriver.BinaryScalar<DivideOp>(variance, n, variance);
    }

    // acc += row
    private static void RowAccumulate(ReadOnlySpan<float> row, Span<float> acc) => ElementwiseDriver.Binary<AddOp>(acc, row, acc);

    // acc += (row − mean)²
    private static void RowAccumulateSquaredDeviation(ReadOnlySpan<float> row, ReadOnlySpan<float> mean, Span<float> acc) =>
        ElementwiseDriver.Map(default(SquaredDeviationAddOp), acc, row, mean, acc);

    /// <summary>
    /// y = x·scale + shift per column, with scale = gamma·rsqrt(var + eps) and shift = beta − mean·scale
    /// (TensorFlow's <c>batch_normalization</c> arithmetic).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShift(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
    {
        for (int r = 0; r < rows; r++)
        {
            ElementwiseDriver.Map(default(ScaleShiftOp), x.Slice(r * cols, cols), scale[..cols], shift[..cols], y.Slice(r * cols, cols));
        }
    }

    /// <summary>Computes inv = rsqrt(var + eps) and, from gamma/beta (null = 1/0), scale = gamma·inv and shift = beta − mean·scale.</summary>
    public static void BatchNormCoefficients(
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        float epsilon, Span<float> inv, Span<float> scale, Span<float> shift)
    {
        int n = mean.Length;
        ElementwiseDriver.Map(new InverseSqrtOp(epsilon), variance[..n], inv[..n]);
        if (gamma.IsEmpty)
        {
            inv[..n].CopyTo(scale);
        }
        else
        {
            ElementwiseDriver.Binary<MultiplyOp>(inv[..n], gamma, scale[..n]);
        }

        if (beta.IsEmpty)
        {
            ElementwiseDriver.Map(default(NegatedProductOp), mean, scale, shift[..n]);
        }
        else
        {
            ElementwiseDriver.Map(default(ShiftOp), beta, mean, scale, shift[..n]);
        }
    }

    /// <summary>moving ← moving·momentum + batch·(1 − momentum) (Keras's update arithmetic).</summary>
    public static void MovingAverage(Span<float> moving, ReadOnlySpan<float> batch, float momentum) =>
        ElementwiseDriver.Map(new MovingAverageOp(momentum, 1f - momentum), moving, batch, moving);

    /// <summary>
    /// Training-mode BatchNormalization backward over [rows, cols]:
    /// dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma·inv/N · (N·dy − dbeta − x̂·dgamma), with x̂ = (x − mean)·inv.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchNormTrainingGrad(
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int rows, int cols,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> inv, ReadOnlySpan<float> gamma,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, Span<float> coef)
    {
        dbeta.Clear();
        dgamma.Clear();
        for (int r = 0; r < rows; r++)
        {
            BatchNormGradSums(x.Slice(r * cols, cols), dy.Slice(r * cols, cols), mean, inv, dbeta, dgamma);
        }

        float n = rows;
        if (gamma.IsEmpty)
        {
            ElementwiseDriver.Map(new GradientCoefficientOp(n), inv[..cols], coef[..cols]);
        }
        else
        {
            ElementwiseDriver.Map(new GradientCoefficientOp(n), gamma, inv[..cols], coef[..cols]);
        }

        for (int r = 0; r < rows; r++)
        {
            BatchNormGradRow(x.Slice(r * cols, cols), dy.Slice(r * cols, cols), mean, inv, coef, dbeta, dgamma, n, dx.Slice(r * cols, cols));
        }
    }

    // dbeta += g; dgamma += g·(x − mean)·inv
    private static void BatchNormGradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> mean, ReadOnlySpan<float> inv, Span<float> dbeta, Span<float> dgamma) =>
        ElementwiseDriver.Update(default(GradientSumsOp), x, g, mean, inv, dbeta[..x.Length], dgamma[..x.Length]);

    // dx = coef·(N·g − dbeta − x̂·dgamma)
    private static void BatchNormGradRow(
        ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> mean, ReadOnlySpan<float> inv, ReadOnlySpan<float> coef,
        ReadOnlySpan<float> dbeta, ReadOnlySpan<float> dgamma, float count, Span<float> dx) =>
        ElementwiseDriver.Map(new GradientRowOp(count), x, g, mean, inv, coef, dbeta, dgamma, dx[..x.Length]);

    /// <summary>y = (x / keep) where the mask is set, else 0 (inverted dropout, Keras's arithmetic).</summary>
    public static void DropoutApply(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, float keep, Span<float> y) =>
        ElementwiseDriver.Map(new DropoutOp(keep), x, mask, y[..x.Length]);

    /// <summary>acc + (x − mean)².</summary>
    private readonly struct SquaredDeviationAddOp : IMapOp3
    {
        public float Invoke(float acc, float x, float mean)
        {
            float d = x - mean;
            return acc + (d * d);
        }

        public Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x, Vector256<float> mean)
        {
            var d = x - mean;
            return acc + (d * d);
        }

        public Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x, Vector512<float> mean)
        {
            var d = x - mean;
            return acc + (d * d);
        }
    }

    /// <summary>x·scale + shift.</summary>
    private readonly struct ScaleShiftOp : IMapOp3
    {
        public float Invoke(float x, float scale, float shift) => (x * scale) + shift;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> scale, Vector256<float> shift) => (x * scale) + shift;

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> scale, Vector512<float> shift) => (x * scale) + shift;
    }

    /// <summary>1 / sqrt(variance + ε).</summary>
    private readonly struct InverseSqrtOp(float epsilon) : IMapOp1
    {
        public float Invoke(float variance) => 1f / MathF.Sqrt(variance + epsilon);

        public Vector256<float> Invoke(Vector256<float> variance) => Vector256<float>.One / Vector256.Sqrt(variance + Vector256.Create(epsilon));

        public Vector512<float> Invoke(Vector512<float> variance) => Vector512<float>.One / Vector512.Sqrt(variance + Vector512.Create(epsilon));
    }

    /// <summary>beta − mean·scale.</summary>
    private readonly struct ShiftOp : IMapOp3
    {
        public float Invoke(float beta, float mean, float scale) => beta - (mean * scale);

        public Vector256<float> Invoke(Vector256<float> beta, Vector256<float> mean, Vector256<float> scale) => beta - (mean * scale);

        public Vector512<float> Invoke(Vector512<float> beta, Vector512<float> mean, Vector512<float> scale) => beta - (mean * scale);
    }

    /// <summary>0 − mean·scale (the shift without beta).</summary>
    private readonly struct NegatedProductOp : IMapOp2
    {
        public float Invoke(float mean, float scale) => 0f - (mean * scale);

        public Vector256<float> Invoke(Vector256<float> mean, Vector256<float> scale) => Vector256<float>.Zero - (mean * scale);

        public Vector512<float> Invoke(Vector512<float> mean, Vector512<float> scale) => Vector512<float>.Zero - (mean * scale);
    }

    /// <summary>moving·momentum + batch·(1 − momentum).</summary>
    private readonly struct MovingAverageOp(float momentum, float rest) : IMapOp2
    {
        public float Invoke(float moving, float batch) => (moving * momentum) + (batch * rest);

        public Vector256<float> Invoke(Vector256<float> moving, Vector256<float> batch) =>
            (moving * Vector256.Create(momentum)) + (batch * Vector256.Create(rest));

        public Vector512<float> Invoke(Vector512<float> moving, Vector512<float> batch) =>
            (moving * Vector512.Create(momentum)) + (batch * Vector512.Create(rest));
    }

    /// <summary>(gamma·inv) / N, or (1·inv) / N without gamma.</summary>
    private readonly struct GradientCoefficientOp(float count) : IMapOp1, IMapOp2
    {
        public float Invoke(float inv) => Invoke(1f, inv);

        public Vector256<float> Invoke(Vector256<float> inv) => Invoke(Vector256<float>.One, inv);

        public Vector512<float> Invoke(Vector512<float> inv) => Invoke(Vector512<float>.One, inv);

        public float Invoke(float gamma, float inv) => gamma * inv / count;

        public Vector256<float> Invoke(Vector256<float> gamma, Vector256<float> inv) => gamma * inv / Vector256.Create(count);

        public Vector512<float> Invoke(Vector512<float> gamma, Vector512<float> inv) => gamma * inv / Vector512.Create(count);
    }

    /// <summary>dbeta += g; dgamma += g·x̂ with x̂ = (x − mean)·inv.</summary>
    private readonly struct GradientSumsOp : IUpdateOp2With4Inputs
    {
        public void Invoke(float x, float g, float mean, float inv, ref float dbeta, ref float dgamma)
        {
            float xhat = (x - mean) * inv;
            dbeta += g;
            dgamma += g * xhat;
        }

        public void Invoke(
            Vector256<float> x, Vector256<float> g, Vector256<float> mean, Vector256<float> inv, ref Vector256<float> dbeta, ref Vector256<float> dgamma)
        {
            var xhat = (x - mean) * inv;
            dbeta += g;
            dgamma += g * xhat;
        }

        public void Invoke(
            Vector512<float> x, Vector512<float> g, Vector512<float> mean, Vector512<float> inv, ref Vector512<float> dbeta, ref Vector512<float> dgamma)
        {
            var xhat = (x - mean) * inv;
            dbeta += g;
            dgamma += g * xhat;
        }
    }

    /// <summary>coef·((N·g − dbeta) − x̂·dgamma) with x̂ = (x − mean)·inv.</summary>
    private readonly struct GradientRowOp(float count) : IMapOp7
    {
        public float Invoke(float x, float g, float mean, float inv, float coef, float dbeta, float dgamma)
        {
            float xhat = (x - mean) * inv;
            return coef * ((count * g) - dbeta - (xhat * dgamma));
        }

        public Vector256<float> Invoke(
            Vector256<float> x, Vector256<float> g, Vector256<float> mean, Vector256<float> inv,
            Vector256<float> coef, Vector256<float> dbeta, Vector256<float> dgamma)
        {
            var xhat = (x - mean) * inv;
            return coef * ((Vector256.Create(count) * g) - dbeta - (xhat * dgamma));
        }

        public Vector512<float> Invoke(
            Vector512<float> x, Vector512<float> g, Vector512<float> mean, Vector512<float> inv,
            Vector512<float> coef, Vector512<float> dbeta, Vector512<float> dgamma)
        {
            var xhat = (x - mean) * inv;
            return coef * ((Vector512.Create(count) * g) - dbeta - (xhat * dgamma));
        }
    }

    /// <summary>x / keep where the mask is set (all bits), else 0.</summary>
    private readonly struct DropoutOp(float keep) : IMapOp2
    {
        public float Invoke(float x, float mask) => BitConverter.SingleToInt32Bits(mask) != 0 ? x / keep : 0f;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> mask) => (x / Vector256.Create(keep)) & mask;

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> mask) => (x / Vector512.Create(keep)) & mask;
    }
}
