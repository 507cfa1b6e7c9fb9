using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace KerasNotes.Kernels;

/// <summary>Softmax and log-softmax along one axis of a (outer, n, inner) view, with the max subtracted for stability.</summary>
internal static class SoftmaxKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var xr = x.Slice(o * n, n);
                var yr = y.Slice(o * n, n);
                float max = Reductions.Max(xr);
                TensorPrimitives.Subtract(xr, max, yr);
                TensorPrimitives.Exp(yr, yr);
                float sum = Reductions.Sum(yr);
                ElementwiseDriver.BinaryScalar<DivideOp>(yr, sum, yr);
            }

            return;
        }

        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner;
                float max = float.NegativeInfinity;
                for (int r = 0; r < n; r++)
                {
                    max = MathF.Max(max, x[baseIndex + (r * inner) + i]);
                }

                float sum = 0f;
                for (int r = 0; r < n; r++)
                {
                    int k = baseIndex + (r * inner) + i;
                    y[k] = MathF.Exp(x[k] - max);
                    sum += y[k];
                }

                for (int r = 0; r < n; r++)
                {
                    y[baseIndex + (r * inner) + i] /= sum;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var xr = x.Slice(o * n, n);
                var yr = y.Slice(o * n, n);
                float max = Reductions.Max(xr);
                TensorPrimitives.Subtract(xr, max, yr);
                float sum = 0f;
                for (int r = 0; r < n; r++)
                {
                    sum += MathF.Exp(yr[r]);
                }

                float logSum = MathF.Log(sum);
                TensorPrimitives.Subtract(yr, logSum, yr);
            }

            return;
        }

        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner;
                float max = float.NegativeInfinity;
                for (int r = 0; r < n; r++)
                {
                    max = MathF.Max(max, x[baseIndex + (r * inner) + i]);
                }

                float sum = 0f;
                for (int r = 0; r < n; r++)
                {
                    sum += MathF.Exp(x[baseIndex + (r * inner) + i] - max);
                }

                float logSum = MathF.Log(sum);
                for (int r = 0; r < n; r++)
                {
                    int k = baseIndex + (r * inner) + i;
                    y[k] = x[k] - max - logSum;
                }
            }
        }
    }

    /// <summary>dx = y ⊙ (dy − Σ dy⊙y) along the axis (the softmax Jacobian-vector product).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int n, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner;
                float dot = 0f;
                for (int r = 0; r < n; r++)
                {
                    int k = baseIndex + (r * inner) + i;
                    dot += dy[k] * y[k];
                }

                for (int r = 0; r < n; r++)
                {
                    int k = baseIndex + (r * inner) + i;
                    dx[k] = y[k] * (dy[k] - dot);
                }
            }
        }
    }

    /// <summary>dx = dy − exp(y) ⊙ Σ dy along the axis (the log-softmax Jacobian-vector product).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int n, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner;
                float sum = 0f;
                for (int r = 0; r < n; r++)
                {
                    sum += dy[baseIndex + (r * inner) + i];
                }

                for (int r = 0; r < n; r++)
                {
                    int k = baseIndex + (r * inner) + i;
                    dx[k] = dy[k] - (MathF.Exp(y[k]) * sum);
                }
            }
        }
    }
}
