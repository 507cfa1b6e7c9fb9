using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>The fused layer kernels (bias + activation, activation gradient, dropout) give the same bits on every SIMD level.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class LayerKernelPathTests
{
    // By name: the enum is internal, and a public test method cannot take it as a parameter.
    public static TheoryData<string> Activations => new(Enum.GetNames<FusedActivation>());

    [Theory]
    [MemberData(nameof(Activations))]
    public void BiasActivation_is_bit_identical_on_every_simd_level(string name)
    {
        var activation = Enum.Parse<FusedActivation>(name);
        foreach (int cols in Enumerable.Range(1, 67).Concat([128, 300]))
        {
            foreach (bool withBias in new[] { true, false })
            {
                const int Rows = 3;
                var z = KernelSweep.Values(cols, Rows * cols, specials: true);
                var bias = withBias ? KernelSweep.Values(cols + 1, cols) : [];
                float[] Run(SimdLevel level)
                {
                    var y = (float[])z.Clone();
                    using (new SimdLevelScope(level))
                    {
                        LayerKernels.BiasActivation(y, bias, Rows, cols, activation);
                    }

                    return y;
                }

                var scalar = Run(SimdLevel.Scalar);
                foreach (var level in GlobalKernelSettings.Levels.Skip(1))
                {
                    TensorAssert.BitEqual(scalar, Run(level), $"{activation} cols {cols} bias={withBias} {level}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void BiasActivation_matches_the_unfused_formula(string name)
    {
        var activation = Enum.Parse<FusedActivation>(name);
        const int Rows = 4, Cols = 19;
        var z = KernelSweep.Values(1, Rows * Cols);
        var bias = KernelSweep.Values(2, Cols);
        var y = (float[])z.Clone();
        LayerKernels.BiasActivation(y, bias, Rows, Cols, activation);
        var expected = new float[z.Length];
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i] + bias[i % Cols];
            expected[i] = (float)(activation switch
            {
                FusedActivation.Relu => Math.Max(v, 0),
                FusedActivation.Sigmoid => 1 / (1 + Math.Exp(-v)),
                FusedActivation.Tanh => Math.Tanh(v),
                _ => v,
            });
        }

        TensorAssert.Close(expected, y, 1e-6, 1e-5, $"{activation}");
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void ActivationGrad_is_bit_identical_on_every_simd_level(string name)
    {
        var activation = Enum.Parse<FusedActivation>(name);
        foreach (int n in KernelSweep.Lengths)
        {
            var dy = KernelSweep.Values(n, n);
            var y = KernelSweep.Values(n + 1, n, -1f, 1f);
            float[] Run(SimdLevel level)
            {
                var dz = new float[n];
                using (new SimdLevelScope(level))
                {
                    LayerKernels.ActivationGrad(dy, y, dz, activation);
                }

                return dz;
            }

            var scalar = Run(SimdLevel.Scalar);
            foreach (var level in GlobalKernelSettings.Levels.Skip(1))
            {
                TensorAssert.BitEqual(scalar, Run(level), $"{activation} gradient length {n} {level}");
            }
        }
    }

    [Fact]
    public void DropoutApply_is_bit_identical_on_every_simd_level_and_scales_kept_units_by_one_over_keep()
    {
        const float Keep = 0.7f;
        foreach (int n in KernelSweep.Lengths)
        {
            var x = KernelSweep.Values(n, n, specials: true);
            var mask = new float[n];
            new RandomGenerator(42, (ulong)n).FillBernoulliMask(mask, Keep);
            float[] Run(SimdLevel level)
            {
                var y = new float[n];
                using (new SimdLevelScope(level))
                {
                    LayerKernels.DropoutApply(x, mask, Keep, y);
                }

                return y;
            }

            var scalar = Run(SimdLevel.Scalar);
            for (int i = 0; i < n; i++)
            {
                float expected = BitConverter.SingleToInt32Bits(mask[i]) != 0 ? x[i] / Keep : 0f;
                BitConverter.SingleToInt32Bits(scalar[i]).Should().Be(BitConverter.SingleToInt32Bits(expected), $"element {i} of {n}");
            }

            foreach (var level in GlobalKernelSettings.Levels.Skip(1))
            {
                TensorAssert.BitEqual(scalar, Run(level), $"dropout length {n} {level}");
            }
        }
    }
}
