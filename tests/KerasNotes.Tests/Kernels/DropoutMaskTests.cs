using KerasNotes.Kernels;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// RandomGenerator.FillBernoulliMask: the same mask on every SIMD level for the same seed and stream (whatever the
/// call lengths), a keep fraction close to the keep probability, and determinism per seed.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class DropoutMaskTests
{
    private static readonly int s_on = -1;

    // A sequence of calls of awkward lengths, so the counter is rarely a multiple of the vector width.
    private static float[] Draw(SimdLevel level, ulong seed, ulong stream, double keep, int[] lengths)
    {
        using var scope = new SimdLevelScope(level);
        var rng = new RandomGenerator(seed, stream);
        var all = new List<float>();
        foreach (int n in lengths)
        {
            var mask = new float[n];
            rng.FillBernoulliMask(mask, keep);
            all.AddRange(mask);
        }

        return [.. all];
    }

    private static readonly int[] s_lengths = [.. Enumerable.Range(1, 67), 128, 1000, 3, 4099];

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.1)]
    [InlineData(0.999)]
    public void Mask_is_the_same_on_every_simd_level_for_the_same_seed_and_stream(double keep)
    {
        var scalar = Draw(SimdLevel.Scalar, 2024, 3, keep, s_lengths);
        foreach (var level in GlobalKernelSettings.Levels.Skip(1))
        {
            TensorAssert.BitEqual(scalar, Draw(level, 2024, 3, keep, s_lengths), $"keep {keep} {level}");
        }
    }

    [Fact]
    public void Mask_elements_are_all_bits_set_or_zero()
    {
        var mask = Draw(KernelControl.DetectSimd(), 1, 1, 0.5, s_lengths);
        mask.Should().OnlyContain(m => BitConverter.SingleToInt32Bits(m) == s_on || BitConverter.SingleToInt32Bits(m) == 0);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.1)]
    public void Keep_fraction_over_a_million_draws_is_close_to_the_keep_probability(double keep)
    {
        foreach (var level in GlobalKernelSettings.Levels)
        {
            var mask = Draw(level, 7, 1, keep, [1_000_000]);
            double fraction = mask.Count(m => BitConverter.SingleToInt32Bits(m) != 0) / (double)mask.Length;
            // Five standard deviations of a binomial proportion.
            double sigma = Math.Sqrt(keep * (1 - keep) / mask.Length);
            fraction.Should().BeApproximately(keep, 5 * sigma, $"on {level}");
        }
    }

    [Fact]
    public void Keep_probabilities_of_zero_and_one_drop_everything_and_nothing()
    {
        Draw(SimdLevel.Vector256, 1, 1, 1.0, [100]).Should().OnlyContain(m => BitConverter.SingleToInt32Bits(m) == s_on);
        foreach (var level in GlobalKernelSettings.Levels)
        {
            Draw(level, 1, 1, 0.0, [100]).Should().OnlyContain(m => BitConverter.SingleToInt32Bits(m) == 0);
        }
    }

    [Fact]
    public void Masks_are_deterministic_per_seed_and_differ_between_seeds_and_streams()
    {
        var level = KernelControl.DetectSimd();
        var a = Draw(level, 11, 1, 0.5, [500, 37]);
        var again = Draw(level, 11, 1, 0.5, [500, 37]);
        TensorAssert.BitEqual(a, again, "same seed and stream");
        Draw(level, 12, 1, 0.5, [500, 37]).Should().NotEqual(a, "another seed gives another mask");
        Draw(level, 11, 2, 0.5, [500, 37]).Should().NotEqual(a, "another stream gives another mask");
    }

    [Fact]
    public void Successive_calls_continue_the_sequence_rather_than_repeat_it()
    {
        var rng = new RandomGenerator(5, 1);
        var first = new float[256];
        var second = new float[256];
        rng.FillBernoulliMask(first, 0.5);
        rng.FillBernoulliMask(second, 0.5);
        second.Should().NotEqual(first);
        TensorAssert.BitEqual(Draw(KernelControl.DetectSimd(), 5, 1, 0.5, [512]), [.. first, .. second], "one call of 512 equals two calls of 256");
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData((1UL << 32) - 21)]
    [InlineData((3UL << 32) - 7)]
    public void Mask_does_not_depend_on_how_the_draws_are_split_into_calls(ulong startCounter)
    {
        // Elements are keyed by their position in the generator's sequence, so one call of 64 must equal calls of
        // 5 + 27 + 32, also when the sequence crosses a multiple of 2^32 draws (where the hash is re-keyed).
        foreach (var level in GlobalKernelSettings.Levels)
        {
            using var scope = new SimdLevelScope(level);
            float[] Draw(int[] lengths)
            {
                var rng = new RandomGenerator(77, 1);
                var state = rng.GetState();
                state[4] = startCounter;
                rng.SetState(state);
                var all = new List<float>();
                foreach (int n in lengths)
                {
                    var mask = new float[n];
                    rng.FillBernoulliMask(mask, 0.5);
                    all.AddRange(mask);
                }

                return [.. all];
            }

            TensorAssert.BitEqual(Draw([64]), Draw([5, 27, 32]), $"start {startCounter} {level}");
        }
    }

    [Fact]
    public void Masks_past_2_to_the_32_draws_do_not_repeat_the_first_ones()
    {
        var fresh = new float[64];
        new RandomGenerator(77, 1).FillBernoulliMask(fresh, 0.5);
        var rng = new RandomGenerator(77, 1);
        var state = rng.GetState();
        state[4] = (1UL << 32) - 8;
        rng.SetState(state);
        var crossing = new float[72];
        rng.FillBernoulliMask(crossing, 0.5);
        crossing.AsSpan(8).ToArray().Should().NotEqual(fresh, "draw 2^32 + i is keyed apart from draw i");
    }

    [Fact]
    public void Seeded_dropout_layers_drop_the_same_units_on_every_simd_level()
    {
        float[] Run(SimdLevel level)
        {
            using var scope = new SimdLevelScope(level);
            var layer = new KerasNotes.Layers.Dropout(0.3, seed: 9);
            var x = Tensor.Ones(7, 13);
            return layer.Apply(x, training: true).ToArray();
        }

        var scalar = Run(SimdLevel.Scalar);
        foreach (var level in GlobalKernelSettings.Levels.Skip(1))
        {
            TensorAssert.BitEqual(scalar, Run(level), $"Dropout layer {level}");
        }
    }
}
