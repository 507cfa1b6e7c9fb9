using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// The BatchNormalization kernels (moments, coefficients with and without gamma and beta, scale-and-shift, the moving
/// averages and the training gradient) give the same bits on every SIMD level, for row lengths that leave every tail.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class BatchNormKernelPathTests
{
    private static readonly int[] s_cols = [1, 7, 15, 17, 33, 100, 1000];
    private const int Rows = 3;

    private static void ForEachLevel(string what, Func<float[][]> run)
    {
        var scalar = SimdLevelScope.Run(SimdLevel.Scalar, run);
        foreach (var level in GlobalKernelSettings.Levels.Skip(1))
        {
            var got = SimdLevelScope.Run(level, run);
            for (int s = 0; s < scalar.Length; s++)
            {
                TensorAssert.BitEqual(scalar[s], got[s], $"{what} {level} output {s}");
            }
        }
    }

    [Fact]
    public void Moments_and_coefficients_are_bit_identical_on_every_simd_level()
    {
        foreach (int cols in s_cols)
        {
            var x = KernelSweep.Values(cols, Rows * cols, specials: true);
            var gamma = KernelSweep.Values(cols + 1, cols, specials: true);
            var beta = KernelSweep.Values(cols + 2, cols, specials: true);
            foreach (var (withGamma, withBeta) in new[] { (true, true), (true, false), (false, true), (false, false) })
            {
                ForEachLevel($"cols {cols} gamma={withGamma} beta={withBeta}", () =>
                {
                    float[] mean = new float[cols], variance = new float[cols], inv = new float[cols], scale = new float[cols], shift = new float[cols];
                    LayerKernels.Moments(x, Rows, cols, mean, variance);
                    LayerKernels.BatchNormCoefficients(mean, variance, withGamma ? gamma : [], withBeta ? beta : [], 1e-3f, inv, scale, shift);
                    var y = new float[Rows * cols];
                    LayerKernels.ScaleShift(x, Rows, cols, scale, shift, y);
                    return [mean, variance, inv, scale, shift, y];
                });
            }
        }
    }

    [Fact]
    public void Moving_averages_are_bit_identical_on_every_simd_level()
    {
        foreach (int cols in s_cols)
        {
            var batch = KernelSweep.Values(cols, cols, specials: true);
            var start = KernelSweep.Values(cols + 1, cols, specials: true);
            ForEachLevel($"cols {cols}", () =>
            {
                var moving = (float[])start.Clone();
                LayerKernels.MovingAverage(moving, batch, 0.99f);
                return [moving];
            });
        }
    }

    [Fact]
    public void Training_gradient_is_bit_identical_on_every_simd_level()
    {
        foreach (int cols in s_cols)
        {
            var x = KernelSweep.Values(cols, Rows * cols);
            var dy = KernelSweep.Values(cols + 1, Rows * cols, specials: true);
            var gamma = KernelSweep.Values(cols + 2, cols);
            var mean = KernelSweep.Values(cols + 3, cols);
            var inv = KernelSweep.Values(cols + 4, cols, 0.1f, 3f);
            foreach (bool withGamma in new[] { true, false })
            {
                ForEachLevel($"cols {cols} gamma={withGamma}", () =>
                {
                    float[] dx = new float[Rows * cols], dgamma = new float[cols], dbeta = new float[cols], coef = new float[cols];
                    LayerKernels.BatchNormTrainingGrad(x, dy, Rows, cols, mean, inv, withGamma ? gamma : [], dx, dgamma, dbeta, coef);
                    return [dx, dgamma, dbeta, coef];
                });
            }
        }
    }
}
