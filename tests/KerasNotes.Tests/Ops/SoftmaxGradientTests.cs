using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of Softmax and LogSoftmax along every axis of a rank-3 input.</summary>
public sealed class SoftmaxGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -3f, 3f, shape);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Softmax over the last axis of a matrix", x => Ops.Softmax(x[0]), R(1, 3, 5))
        .Add("Softmax over axis 0 of a matrix", x => Ops.Softmax(x[0], 0), R(2, 3, 5))
        .Add("Softmax over axis 0 of rank 3", x => Ops.Softmax(x[0], 0), R(3, 2, 3, 4))
        .Add("Softmax over axis 1 of rank 3", x => Ops.Softmax(x[0], 1), R(4, 2, 3, 4))
        .Add("Softmax over axis -1 of rank 3", x => Ops.Softmax(x[0], -1), R(5, 2, 3, 4))
        .Add("Softmax of a vector", x => Ops.Softmax(x[0]), R(6, 7))
        .Add("Softmax of large logits", x => Ops.Softmax(Ops.Multiply(x[0], 10f)), R(7, 2, 4))
        .Add("LogSoftmax over the last axis of a matrix", x => Ops.LogSoftmax(x[0]), R(8, 3, 5))
        .Add("LogSoftmax over axis 0 of rank 3", x => Ops.LogSoftmax(x[0], 0), R(9, 2, 3, 4))
        .Add("LogSoftmax over axis 1 of rank 3", x => Ops.LogSoftmax(x[0], 1), R(10, 2, 3, 4))
        .Add("LogSoftmax over axis -1 of rank 3", x => Ops.LogSoftmax(x[0], -1), R(11, 2, 3, 4))
        .Add("LogSoftmax of large logits", x => Ops.LogSoftmax(Ops.Multiply(x[0], 10f)), R(12, 2, 4));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Softmax_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Softmax_sums_to_one_along_its_axis(int axis)
    {
        var y = Ops.Softmax(R(13, 2, 3, 4), axis);
        var sums = Ops.Sum(y, axis).ToArray();
        sums.Should().OnlyContain(s => Math.Abs(s - 1f) < 1e-6f);
    }
}
