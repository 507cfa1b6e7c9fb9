using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of the reductions over one axis, several axes and all axes, with and without keepDims.</summary>
public sealed class ReductionGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -2f, 2f, shape);

    // Max and Min need a unique winner that keeps winning under the finite-difference step.
    private static Tensor D(int seed, params int[] shape) => GradientCheck.Distinct(seed, 0.1f, shape);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Sum over all axes", x => Ops.Sum(x[0]), R(1, 2, 3, 4))
        .Add("Sum over axis 0", x => Ops.Sum(x[0], 0), R(2, 2, 3, 4))
        .Add("Sum over axis 1", x => Ops.Sum(x[0], 1), R(3, 2, 3, 4))
        .Add("Sum over axis -1 keeping dims", x => Ops.Sum(x[0], -1, keepDims: true), R(4, 2, 3, 4))
        .Add("Sum over axes 0 and 2", x => Ops.Sum(x[0], [0, 2]), R(5, 2, 3, 4))
        .Add("Sum over axes 1 and -1 keeping dims", x => Ops.Sum(x[0], [1, -1], keepDims: true), R(6, 2, 3, 4))
        .Add("Sum over all axes keeping dims", x => Ops.Sum(x[0], keepDims: true), R(7, 2, 3))
        .Add("Mean over all axes", x => Ops.Mean(x[0]), R(8, 2, 3, 4))
        .Add("Mean over axis 0", x => Ops.Mean(x[0], 0), R(9, 2, 3, 4))
        .Add("Mean over axis -1 keeping dims", x => Ops.Mean(x[0], -1, keepDims: true), R(10, 2, 3, 4))
        .Add("Mean over axes 0 and 1", x => Ops.Mean(x[0], [0, 1]), R(11, 2, 3, 4))
        .Add("Mean over axes 0 and 2 keeping dims", x => Ops.Mean(x[0], [0, 2], keepDims: true), R(12, 2, 3, 4))
        .Add("Max over all axes", x => Ops.Max(x[0]), D(13, 2, 3, 4))
        .Add("Max over axis 0", x => Ops.Max(x[0], 0), D(14, 2, 3, 4))
        .Add("Max over axis 1", x => Ops.Max(x[0], 1), D(15, 2, 3, 4))
        .Add("Max over axis -1 keeping dims", x => Ops.Max(x[0], -1, keepDims: true), D(16, 2, 3, 4))
        .Add("Min over all axes", x => Ops.Min(x[0]), D(17, 2, 3, 4))
        .Add("Min over axis 0", x => Ops.Min(x[0], 0), D(18, 2, 3, 4))
        .Add("Min over axis -1", x => Ops.Min(x[0], -1), D(19, 2, 3, 4))
        .Add("Min over axis 1 keeping dims", x => Ops.Min(x[0], 1, keepDims: true), D(20, 2, 3, 4))
        .Add("Var over all axes", x => Ops.Var(x[0]), R(21, 2, 3, 4))
        .Add("Var over axis 0", x => Ops.Var(x[0], 0), R(22, 3, 4))
        .Add("Var over axis -1 keeping dims", x => Ops.Var(x[0], -1, keepDims: true), R(23, 2, 3, 4))
        .Add("Std over all axes", x => Ops.Std(x[0]), R(24, 2, 3, 4))
        .Add("Std over axis 1", x => Ops.Std(x[0], 1), R(25, 2, 3, 4))
        .Add("Std over axis -1 keeping dims", x => Ops.Std(x[0], -1, keepDims: true), R(26, 3, 5))
        .Add("LogSumExp over the last axis", x => Ops.LogSumExp(x[0]), R(27, 2, 3, 4))
        .Add("LogSumExp over axis 0", x => Ops.LogSumExp(x[0], 0), R(28, 2, 3, 4))
        .Add("LogSumExp over axis 1 keeping dims", x => Ops.LogSumExp(x[0], 1, keepDims: true), R(29, 2, 3, 4))
        .Add("LogSumExp of large logits", x => Ops.LogSumExp(Ops.Multiply(x[0], 40f)), R(30, 3, 5));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reduction_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void Max_gradient_is_shared_equally_among_ties()
    {
        var x = new Variable(Tensor.FromArray([1f, 3f, 3f, 2f], 4), "x");
        using var tape = new GradientTape();
        var grad = tape.Gradient(Ops.Max(x), [x])[0];
        grad.ToArray().Should().Equal(0f, 0.5f, 0.5f, 0f);
    }

    [Fact]
    public void Reducing_an_axis_out_of_range_throws_naming_the_axis_and_shape()
    {
        var x = Tensor.Zeros(2, 3);
        var act = () => Ops.Sum(x, 2);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*axis 2*[2, 3]*");
    }
}
