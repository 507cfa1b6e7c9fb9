using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace KerasNotes.Kernels;

/// <summary>Transcendental element-wise kernels that need care for accuracy or stability.</summary>
internal static class MathKernels
{
    /// <summary>log(1 + x), accurate near 0 (computed in double with the Goldberg correction).</summary>
    public static float Log1p(float x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : (float)(Math.Log(u) * (x / (u - 1.0)));
    }

    /// <summary>y[i] = log(1 + x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Log1p(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Log1p(x[i]);
        }
    }

    /// <summary>y[i] = 1 / (1 + exp(−x[i])).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>y[i] = max(x, 0) + log1p(exp(−|x|)), the stable softplus.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Softplus(x[i]);
        }
    }

    /// <summary>The stable softplus of one value.</summary>
    public static float Softplus(float v) => MathF.Max(v, 0f) + Log1p(MathF.Exp(-MathF.Abs(v)));
}
