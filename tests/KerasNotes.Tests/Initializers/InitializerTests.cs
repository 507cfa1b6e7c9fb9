using KerasNotes.Initializers;
using KerasNotes.Layers;

namespace KerasNotes.Tests.Initializers;

/// <summary>Keras's initializer bounds (spec §32.2), seeding, fans and the statistics of large draws.</summary>
public sealed class InitializerTests
{
    private const double GlorotLimitDense3On4 = 0.9258200997725514; // sqrt(6 / 7)
    private const double HeNormalSigmaFanIn4 = 0.8038723885739654;  // sqrt(0.5) / 0.87962566103423978

    [Fact]
    public void Dense_3_on_4_inputs_draws_its_glorot_kernel_within_sqrt_6_over_7()
    {
        Math.Sqrt(6.0 / 7.0).Should().BeApproximately(GlorotLimitDense3On4, 1e-15);
        var samples = new List<float>();
        for (int i = 0; i < 300; i++)
        {
            var layer = new Dense(3);
            layer.Apply(Tensor.Zeros(1, 4));
            layer.Kernel!.Shape.Should().Be(new Shape(4, 3));
            samples.AddRange(layer.Kernel.ToArray());
        }

        samples.Should().OnlyContain(v => Math.Abs(v) <= GlorotLimitDense3On4);
        samples.Max(v => Math.Abs(v)).Should().BeGreaterThan((float)(0.99 * GlorotLimitDense3On4), "the draws fill the whole interval");
    }

    [Fact]
    public void He_normal_with_fan_in_4_has_keras_sigma_and_every_sample_within_two_sigma()
    {
        var values = new HeNormal(seed: 1).Call(new Shape(4, 20_000)).ToArray();
        double twoSigma = 2 * HeNormalSigmaFanIn4;
        twoSigma.Should().BeApproximately(1.6077447771479308, 1e-15);
        values.Should().OnlyContain(v => Math.Abs(v) <= twoSigma + 1e-6);
        values.Max(v => Math.Abs(v)).Should().BeGreaterThan((float)(0.99 * twoSigma), "the truncation is at 2σ, not inside it");
        // Keras divides by the truncated normal's std so that the variance is scale / fan_in = 0.5.
        Variance(values).Should().BeApproximately(0.5, 0.5 * 0.03);
        values.Average(v => (double)v).Should().BeApproximately(0, 0.02);
    }

    public static TheoryData<string, int[], double> VarianceCases => new()
    {
        // initializer, shape, expected variance
        { "glorot_uniform", [64, 32], 2.0 / 96 },
        { "glorot_normal", [64, 32], 2.0 / 96 },
        { "he_uniform", [50, 40], 2.0 / 50 },
        { "he_normal", [50, 40], 2.0 / 50 },
        { "lecun_uniform", [25, 80], 1.0 / 25 },
        { "lecun_normal", [25, 80], 1.0 / 25 },
        { "random_normal", [40, 50], 0.05 * 0.05 },
        { "random_uniform", [40, 50], 0.1 * 0.1 / 12 },
        { "truncated_normal", [40, 50], 0.05 * 0.05 * 0.7737413 },
        { "glorot_uniform", [3, 3, 16, 32], 2.0 / ((9 * 16) + (9 * 32)) },
    };

    [Theory]
    [MemberData(nameof(VarianceCases))]
    public void Large_draws_have_the_expected_variance(string name, int[] shape, double variance)
    {
        var values = new List<float>();
        var initializer = Initializer.Get(name);
        while (values.Count < 40_000)
        {
            values.AddRange(initializer.Call(new Shape(shape)).ToArray());
        }

        Variance([.. values]).Should().BeApproximately(variance, variance * 0.04, name);
        values.Average(v => (double)v).Should().BeApproximately(0, 4 * Math.Sqrt(variance / values.Count), name);
    }

    private static double Variance(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }

    [Fact]
    public void Uniform_initializers_stay_within_their_limit()
    {
        new GlorotUniform().Call(new Shape(10, 20)).ToArray().Should().OnlyContain(v => Math.Abs(v) <= Math.Sqrt(6.0 / 30));
        new HeUniform().Call(new Shape(8, 20)).ToArray().Should().OnlyContain(v => Math.Abs(v) <= Math.Sqrt(6.0 / 8));
        new RandomUniform(-0.2, 0.3).Call(new Shape(1000)).ToArray().Should().OnlyContain(v => v >= -0.2f && v <= 0.3f);
        new TruncatedNormal(1.0, 0.5).Call(new Shape(1000)).ToArray().Should().OnlyContain(v => v >= 0f && v <= 2f);
    }

    [Fact]
    public void Seeded_initializer_gives_the_same_values_on_every_call()
    {
        foreach (var init in new Initializer[] { new GlorotUniform(seed: 3), new HeNormal(seed: 3), new RandomNormal(seed: 3), new Orthogonal(seed: 3) })
        {
            var a = init.Call(new Shape(5, 4)).ToArray();
            var b = init.Call(new Shape(5, 4)).ToArray();
            b.Should().Equal(a, init.ClassName);
        }
    }

    [Fact]
    public void Unseeded_initializer_gives_new_values_on_every_call()
    {
        foreach (var init in new Initializer[] { new GlorotUniform(), new HeNormal(), new RandomUniform(), new Orthogonal() })
        {
            var a = init.Call(new Shape(5, 4)).ToArray();
            var b = init.Call(new Shape(5, 4)).ToArray();
            b.Should().NotEqual(a, init.ClassName);
        }
    }

    [Fact]
    public void Different_seeds_give_different_values()
    {
        new GlorotUniform(seed: 1).Call(new Shape(4, 4)).ToArray().Should().NotEqual(new GlorotUniform(seed: 2).Call(new Shape(4, 4)).ToArray());
    }

    [Theory]
    [InlineData(new[] { 7 }, 7, 7)]
    [InlineData(new[] { 4, 3 }, 4, 3)]
    [InlineData(new[] { 3, 3, 16, 32 }, 144, 288)]
    [InlineData(new int[0], 1, 1)]
    public void Fans_follow_keras(int[] shape, double fanIn, double fanOut)
    {
        Initializer.ComputeFans(new Shape(shape)).Should().Be((fanIn, fanOut));
    }

    [Fact]
    public void Constant_initializers_fill_their_value()
    {
        new Zeros().Call(new Shape(2, 2)).ToArray().Should().OnlyContain(v => v == 0f);
        new Ones().Call(new Shape(3)).ToArray().Should().OnlyContain(v => v == 1f);
        new Constant(0.25).Call(new Shape(3)).ToArray().Should().OnlyContain(v => v == 0.25f);
        new Identity(2.0).Call(new Shape(2, 3)).ToArray().Should().Equal(2f, 0f, 0f, 0f, 2f, 0f);
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(6, 3)]
    [InlineData(3, 6)]
    public void Orthogonal_rows_or_columns_are_orthonormal(int rows, int cols)
    {
        var w = new Orthogonal(seed: 5).Call(new Shape(rows, cols));
        bool tall = rows >= cols;
        var gram = tall ? Ops.MatMul(w, w, transposeA: true) : Ops.MatMul(w, w, transposeB: true);
        int n = Math.Min(rows, cols);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                gram[i, j].Should().BeApproximately(i == j ? 1f : 0f, 1e-5f);
            }
        }
    }

    [Fact]
    public void Unknown_initializer_name_throws_naming_it()
    {
        var act = () => Initializer.Get("glorot_sideways");
        act.Should().Throw<ArgumentException>().WithParameterName("identifier").WithMessage("*glorot_sideways*");
    }

    [Theory]
    [InlineData("glorot_uniform", typeof(GlorotUniform))]
    [InlineData("GlorotNormal", typeof(GlorotNormal))]
    [InlineData("he_normal", typeof(HeNormal))]
    [InlineData("zeros", typeof(Zeros))]
    [InlineData("orthogonal", typeof(Orthogonal))]
    public void Initializers_resolve_by_keras_name(string name, Type type)
    {
        Initializer.Get(name).Should().BeOfType(type);
    }
}
