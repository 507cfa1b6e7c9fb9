using KerasNotes.Regularizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Regularizers;

/// <summary>Regularizer penalties (Keras's λΣ|w| and λΣw² with no ½), configs, lookup by name and gradients.</summary>
public sealed class RegularizerTests
{
    private static readonly Tensor s_w = Tensor.FromArray([1f, -2f, 3f, -0.5f], 2, 2);

    [Fact]
    public void L1_penalty_is_factor_times_the_sum_of_absolute_values()
    {
        new L1(0.1).Call(s_w).Item().Should().BeApproximately(0.1f * 6.5f, 1e-6f);
        new L1().Call(s_w).Item().Should().BeApproximately(0.01f * 6.5f, 1e-7f);
    }

    [Fact]
    public void L2_penalty_is_factor_times_the_sum_of_squares_with_no_half()
    {
        new L2(0.1).Call(s_w).Item().Should().BeApproximately(0.1f * 14.25f, 1e-6f);
        new L2().Call(s_w).Item().Should().BeApproximately(0.01f * 14.25f, 1e-6f);
    }

    [Fact]
    public void L1L2_penalty_adds_both()
    {
        new L1L2(0.1, 0.2).Call(s_w).Item().Should().BeApproximately((0.1f * 6.5f) + (0.2f * 14.25f), 1e-5f);
        new L1L2().Call(s_w).Item().Should().Be(0f, "Keras 3's L1L2 defaults are both 0");
    }

    [Fact]
    public void Penalties_are_scalars()
    {
        new L1().Call(s_w).Rank.Should().Be(0);
        new L2().Call(s_w).Rank.Should().Be(0);
        new L1L2(0.1, 0.1).Call(s_w).Rank.Should().Be(0);
    }

    [Fact]
    public void Configs_hold_the_keras_argument_names()
    {
        new L1(0.3).GetConfig().Should().BeEquivalentTo(new Dictionary<string, object?> { ["l1"] = 0.3 });
        new L2(0.4).GetConfig().Should().BeEquivalentTo(new Dictionary<string, object?> { ["l2"] = 0.4 });
        new L1L2(0.1, 0.2).GetConfig().Should().BeEquivalentTo(new Dictionary<string, object?> { ["l1"] = 0.1, ["l2"] = 0.2 });
    }

    [Fact]
    public void Get_resolves_keras_names_with_keras_defaults()
    {
        Regularizer.Get("l1").Should().BeOfType<L1>().Which.Factor.Should().Be(0.01);
        Regularizer.Get("L2").Should().BeOfType<L2>().Which.Factor.Should().Be(0.01);
        var l1l2 = Regularizer.Get("l1_l2").Should().BeOfType<L1L2>().Which;
        l1l2.L1Factor.Should().Be(0);
        l1l2.L2Factor.Should().Be(0);
        l1l2.Call(s_w).Item().Should().Be(0f, "Get(\"l1_l2\") is a zero penalty, as in Keras 3");
    }

    [Fact]
    public void Get_of_an_unknown_name_throws_naming_it()
    {
        var act = () => Regularizer.Get("l3");
        act.Should().Throw<ArgumentException>().WithParameterName("identifier").WithMessage("*'l3'*");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Negative_or_non_finite_factors_are_rejected(double factor)
    {
        var l1 = () => new L1(factor);
        l1.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("l1");
        var l2 = () => new L2(factor);
        l2.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("l2");
        var both = () => new L1L2(0.1, factor);
        both.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("l2");
    }

    public static TheoryData<string> Names => new(["L1", "L2", "L1L2"]);

    [Theory]
    [MemberData(nameof(Names))]
    public void Regularizer_gradient_matches_finite_differences(string name)
    {
        Regularizer r = name switch
        {
            "L1" => new L1(0.3),
            "L2" => new L2(0.3),
            _ => new L1L2(0.2, 0.4),
        };
        var w = GradientCheck.AwayFrom(1, -2f, 2f, [0f], 0.05f, 3, 4);
        GradientCheck.Check(x => r.Call(x[0]), [w], what: name);
    }

    [Fact]
    public void L2_gradient_is_two_factor_w()
    {
        var w = new Variable(Tensor.FromArray([1f, -2f]), "w");
        using var tape = new GradientTape();
        tape.Gradient(new L2(0.25).Call(w), [w])[0].ToArray().Should().Equal(0.5f, -1f);
    }
}
