using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>Reductions.Sum, SumOfSquares and SumAxis give the same bits on every SIMD level and stay close to a double-precision sum.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class ReductionPathTests
{
    [Fact]
    public void Sum_is_bit_identical_on_every_simd_level_for_every_length()
    {
        foreach (int n in KernelSweep.Lengths.Concat([0, 16, 17, 32, 100_003]))
        {
            var x = KernelSweep.Values(n, n);
            float scalar = SimdLevelScope.Run(SimdLevel.Scalar, () => Reductions.Sum(x));
            foreach (var level in GlobalKernelSettings.Levels.Skip(1))
            {
                float got = SimdLevelScope.Run(level, () => Reductions.Sum(x));
                BitConverter.SingleToInt32Bits(got).Should().Be(BitConverter.SingleToInt32Bits(scalar), $"length {n} on {level}");
            }

            double reference = x.Sum(v => (double)v);
            double magnitude = x.Sum(v => Math.Abs((double)v));
            Math.Abs(scalar - reference).Should().BeLessThanOrEqualTo((1e-6 * magnitude) + 1e-6, $"length {n}");
        }
    }

    [Fact]
    public void SumOfSquares_is_bit_identical_on_every_simd_level_for_every_length()
    {
        foreach (int n in KernelSweep.Lengths.Concat([0, 16, 17, 100_003]))
        {
            var x = KernelSweep.Values(n + 7, n);
            float scalar = SimdLevelScope.Run(SimdLevel.Scalar, () => Reductions.SumOfSquares(x));
            foreach (var level in GlobalKernelSettings.Levels.Skip(1))
            {
                float got = SimdLevelScope.Run(level, () => Reductions.SumOfSquares(x));
                BitConverter.SingleToInt32Bits(got).Should().Be(BitConverter.SingleToInt32Bits(scalar), $"length {n} on {level}");
            }

            double reference = x.Sum(v => (double)v * v);
            Math.Abs(scalar - reference).Should().BeLessThanOrEqualTo((1e-6 * reference) + 1e-6, $"length {n}");
        }
    }

    [Theory]
    [InlineData(1, 5, 1)]
    [InlineData(3, 17, 1)]
    [InlineData(2, 7, 9)]
    [InlineData(4, 33, 67)]
    [InlineData(1, 300, 24)]
    public void SumAxis_is_bit_identical_on_every_simd_level(int outer, int n, int inner)
    {
        var x = KernelSweep.Values(outer + n + inner, outer * n * inner);
        float[] Run(SimdLevel level)
        {
            var d = new float[outer * inner];
            using (new SimdLevelScope(level))
            {
                Reductions.SumAxis(x, outer, n, inner, d);
            }

            return d;
        }

        var scalar = Run(SimdLevel.Scalar);
        foreach (var level in GlobalKernelSettings.Levels.Skip(1))
        {
            TensorAssert.BitEqual(scalar, Run(level), $"SumAxis ({outer}, {n}, {inner}) {level}");
        }
    }
}
