using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

/// <summary>
/// The fused passes behind Dense, BatchNormalization and Dropout: one sweep over memory where a
/// chain of ops would make several, with the same arithmetic as the chain.
/// </summary>
internal static class LayerKernels
{
    /// <summary>z[r, :] = act(z[r, :] + bias) for every row.</summary>
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
    private static void RowAccumulateSquaredDeviation(ReadOnlySpan<float> row, ReadOnlySpan<float> mean, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(row);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int n = row.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i);
                (Vector512.LoadUnsafe(ref ar, (nuint)i) + (d * d)).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                (Vector256.LoadUnsafe(ref ar, (nuint)i) + (d * d)).StoreUnsafe(ref ar, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float d = row[i] - mean[i];
            acc[i] += d * d;
        }
    }

    /// <summary>
    /// y = x·scale + shift per column, with scale = gamma·rsqrt(var + eps) and shift = beta − mean·scale
    /// (TensorFlow's <c>batch_normalization</c> arithmetic).
    /// </summary>
    public static void ScaleShift(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
    {
        ref float sr = ref MemoryMarshal.GetReference(scale);
        ref float hr = ref MemoryMarshal.GetReference(shift);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(r * cols, cols));
            ref float yr = ref MemoryMarshal.GetReference(y.Slice(r * cols, cols));
            int i = 0;
            if (KernelControl.Simd == SimdLevel.Vector512)
            {
                for (; i <= cols - 16; i += 16)
                {
                    ((Vector512.LoadUnsafe(ref xr, (nuint)i) * Vector512.LoadUnsafe(ref sr, (nuint)i)) + Vector512.LoadUnsafe(ref hr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }
            else if (KernelControl.Simd == SimdLevel.Vector256)
            {
                for (; i <= cols - 8; i += 8)
                {
                    ((Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref sr, (nuint)i)) + Vector256.LoadUnsafe(ref hr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < cols; i++)
            {
                Unsafe.Add(ref yr, i) = (Unsafe.Add(ref xr, i) * scale[i]) + shift[i];
            }
        }
    }

    /// <summary>Computes inv = rsqrt(var + eps) and, from gamma/beta (null = 1/0), scale = gamma·inv and shift = beta − mean·scale.</summary>
    public static void BatchNormCoefficients(
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        float epsilon, Span<float> inv, Span<float> scale, Span<float> shift)
    {
        int n = mean.Length, c = 0;
        if (KernelControl.Simd >= SimdLevel.Vector256 && !gamma.IsEmpty && !beta.IsEmpty)
        {
            ref float mr = ref MemoryMarshal.GetReference(mean);
            ref float vr = ref MemoryMarshal.GetReference(variance);
            ref float gr = ref MemoryMarshal.GetReference(gamma);
            ref float br = ref MemoryMarshal.GetReference(beta);
            ref float ir = ref MemoryMarshal.GetReference(inv);
            ref float sr = ref MemoryMarshal.GetReference(scale);
            ref float hr = ref MemoryMarshal.GetReference(shift);
            var e = Vector256.Create(epsilon);
            for (; c <= n - 8; c += 8)
            {
                var iv = Vector256<float>.One / Vector256.Sqrt(Vector256.LoadUnsafe(ref vr, (nuint)c) + e);
                var sv = iv * Vector256.LoadUnsafe(ref gr, (nuint)c);
                iv.StoreUnsafe(ref ir, (nuint)c);
                sv.StoreUnsafe(ref sr, (nuint)c);
                (Vector256.LoadUnsafe(ref br, (nuint)c) - (Vector256.LoadUnsafe(ref mr, (nuint)c) * sv)).StoreUnsafe(ref hr, (nuint)c);
            }
        }

        for (; c < n; c++)
        {
            inv[c] = 1f / MathF.Sqrt(variance[c] + epsilon);
            scale[c] = gamma.IsEmpty ? inv[c] : inv[c] * gamma[c];
            shift[c] = (beta.IsEmpty ? 0f : beta[c]) - (mean[c] * scale[c]);
        }
    }

    /// <summary>moving ← moving·momentum + batch·(1 − momentum) (Keras's update arithmetic).</summary>
    public static void MovingAverage(Span<float> moving, ReadOnlySpan<float> batch, float momentum)
    {
        float rest = 1f - momentum;
        for (int c = 0; c < moving.Length; c++)
        {
            moving[c] = (moving[c] * momentum) + (batch[c] * rest);
        }
    }

    /// <summary>
    /// Training-mode BatchNormalization backward over [rows, cols]:
    /// dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma·inv/N · (N·dy − dbeta − x̂·dgamma), with x̂ = (x − mean)·inv.
    /// </summary>
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
        for (int c = 0; c < cols; c++)
        {
            coef[c] = (gamma.IsEmpty ? 1f : gamma[c]) * inv[c] / n;
        }

        for (int r = 0; r < rows; r++)
        {
            BatchNormGradRow(x.Slice(r * cols, cols), dy.Slice(r * cols, cols), mean, inv, coef, dbeta, dgamma, n, dx.Slice(r * cols, cols));
        }
    }

    // dbeta += g; dgamma += g·(x − mean)·inv
    private static void BatchNormGradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> mean, ReadOnlySpan<float> inv, Span<float> dbeta, Span<float> dgamma)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ir = ref MemoryMarshal.GetReference(inv);
        ref float br = ref MemoryMarshal.GetReference(dbeta);
        ref float dr = ref MemoryMarshal.GetReference(dgamma);
        int n = x.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i)) * Vector512.LoadUnsafe(ref ir, (nuint)i);
                (Vector512.LoadUnsafe(ref br, (nuint)i) + gv).StoreUnsafe(ref br, (nuint)i);
                (Vector512.LoadUnsafe(ref dr, (nuint)i) + (gv * xhat)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i)) * Vector256.LoadUnsafe(ref ir, (nuint)i);
                (Vector256.LoadUnsafe(ref br, (nuint)i) + gv).StoreUnsafe(ref br, (nuint)i);
                (Vector256.LoadUnsafe(ref dr, (nuint)i) + (gv * xhat)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float xhat = (x[i] - mean[i]) * inv[i];
            dbeta[i] += g[i];
            dgamma[i] += g[i] * xhat;
        }
    }

    // dx = coef·(N·g − dbeta − x̂·dgamma)
    private static void BatchNormGradRow(
        ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> mean, ReadOnlySpan<float> inv, ReadOnlySpan<float> coef,
        ReadOnlySpan<float> dbeta, ReadOnlySpan<float> dgamma, float count, Span<float> dx)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ir = ref MemoryMarshal.GetReference(inv);
        ref float cr = ref MemoryMarshal.GetReference(coef);
        ref float br = ref MemoryMarshal.GetReference(dbeta);
        ref float dr = ref MemoryMarshal.GetReference(dgamma);
        ref float outr = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var nv = Vector512.Create(count);
            for (; i <= n - 16; i += 16)
            {
                var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)i) - Vector512.LoadUnsafe(ref mr, (nuint)i)) * Vector512.LoadUnsafe(ref ir, (nuint)i);
                var inner = (nv * Vector512.LoadUnsafe(ref gr, (nuint)i)) - Vector512.LoadUnsafe(ref br, (nuint)i) - (xhat * Vector512.LoadUnsafe(ref dr, (nuint)i));
                (Vector512.LoadUnsafe(ref cr, (nuint)i) * inner).StoreUnsafe(ref outr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var nv = Vector256.Create(count);
            for (; i <= n - 8; i += 8)
            {
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i)) * Vector256.LoadUnsafe(ref ir, (nuint)i);
                var inner = (nv * Vector256.LoadUnsafe(ref gr, (nuint)i)) - Vector256.LoadUnsafe(ref br, (nuint)i) - (xhat * Vector256.LoadUnsafe(ref dr, (nuint)i));
                (Vector256.LoadUnsafe(ref cr, (nuint)i) * inner).StoreUnsafe(ref outr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float xhat = (x[i] - mean[i]) * inv[i];
            dx[i] = coef[i] * ((count * g[i]) - dbeta[i] - (xhat * dgamma[i]));
        }
    }

    /// <summary>y = (x / keep) where the mask is set, else 0 (inverted dropout, Keras's arithmetic).</summary>
    public static void DropoutApply(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, float keep, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mask);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (KernelControl.Simd == SimdLevel.Vector512)
        {
            var kv = Vector512.Create(keep);
            for (; i <= n - 16; i += 16)
            {
                ((Vector512.LoadUnsafe(ref xr, (nuint)i) / kv) & Vector512.LoadUnsafe(ref mr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        else if (KernelControl.Simd == SimdLevel.Vector256)
        {
            var kv = Vector256.Create(keep);
            for (; i <= n - 8; i += 8)
            {
                ((Vector256.LoadUnsafe(ref xr, (nuint)i) / kv) & Vector256.LoadUnsafe(ref mr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            y[i] = BitConverter.SingleToInt32Bits(mask[i]) != 0 ? x[i] / keep : 0f;
        }
    }
}

/// <summary>acc + d² (used to accumulate squared deviations).</summary>
internal readonly struct SquaredAddOp : IBinaryOp
{
    public static float Invoke(float acc, float d) => acc + (d * d);

    public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> d) => acc + (d * d);

    public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> d) => acc + (d * d);
}
