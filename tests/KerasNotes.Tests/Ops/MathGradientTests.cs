using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of the element-wise math ops, with inputs kept inside each function's smooth domain.</summary>
public sealed class MathGradientTests
{
    private static Tensor R(int seed, float lo, float hi, params int[] shape) => GradientCheck.Random(seed, lo, hi, shape);

    // A 0/1 condition that is a constant (captured, not differentiated).
    private static readonly Tensor s_condition = Tensor.FromArray([1, 0, 0, 1, 1, 0], 2, 3);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Exp", x => Ops.Exp(x[0]), R(1, -2f, 2f, 2, 3))
        .Add("Log", x => Ops.Log(x[0]), R(2, 0.3f, 3f, 2, 3))
        .Add("Log1p", x => Ops.Log1p(x[0]), R(3, -0.6f, 3f, 2, 3))
        .Add("Log1p near zero", x => Ops.Log1p(x[0]), R(4, -0.1f, 0.1f, 2, 3))
        .Add("Sqrt", x => Ops.Sqrt(x[0]), R(5, 0.3f, 4f, 2, 3))
        .Add("Square", x => Ops.Square(x[0]), R(6, -2f, 2f, 2, 3))
        .Add("Abs", x => Ops.Abs(x[0]), GradientCheck.AwayFrom(7, -2f, 2f, [0f], 0.05f, 2, 3))
        .Add("Tanh", x => Ops.Tanh(x[0]), R(8, -3f, 3f, 2, 3))
        .Add("Sigmoid", x => Ops.Sigmoid(x[0]), R(9, -5f, 5f, 2, 3))
        .Add("Softplus", x => Ops.Softplus(x[0]), R(10, -5f, 5f, 2, 3))
        .Add("Softplus of large inputs", x => Ops.Softplus(x[0]), R(11, 15f, 30f, 2, 3))
        .Add("Clip", x => Ops.Clip(x[0], -0.5f, 0.75f), GradientCheck.AwayFrom(12, -2f, 2f, [-0.5f, 0.75f], 0.05f, 3, 4))
        .Add("Where picks both branches", x => Ops.Where(s_condition, x[0], x[1]), R(13, -2f, 2f, 2, 3), R(14, -2f, 2f, 2, 3))
        .Add("Where with broadcast branches", x => Ops.Where(s_condition, x[0], x[1]), R(15, -2f, 2f, 3), R(16, -2f, 2f, 2, 1))
        .Add("Where with a constant first branch", x => Ops.Where(s_condition, s_condition, x[0]), R(18, -2f, 2f, 2, 3))
        .Add("Where with a constant second branch", x => Ops.Where(s_condition, x[0], s_condition), R(19, -2f, 2f, 3))
        .Add("Where with the same tensor in both branches", x => Ops.Where(s_condition, Ops.Square(x[0]), x[0]), R(17, -2f, 2f, 2, 3));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Math_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void Sign_floor_round_and_comparisons_record_no_gradient()
    {
        var x = new Variable(Tensor.FromArray([-1.5f, 0.2f, 2.5f], 3), "x");
        using var tape = new GradientTape();
        int before = tape.RecordedOpCount;
        _ = Ops.Sign(x);
        _ = Ops.Floor(x);
        _ = Ops.Round(x);
        _ = Ops.Greater(x, 0f);
        _ = Ops.Equal(x, x);
        _ = Ops.IsNan(x);
        tape.RecordedOpCount.Should().Be(before);
    }
}
