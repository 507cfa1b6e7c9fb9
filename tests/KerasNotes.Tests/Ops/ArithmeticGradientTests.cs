using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>Finite-difference checks of the arithmetic ops: every broadcasting pattern, every scalar overload, both Power forms.</summary>
public sealed class ArithmeticGradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradientCheck.Random(seed, -2f, 2f, shape);

    // Denominators kept at least 0.5 away from zero so a/b is smooth within the finite-difference step.
    private static Tensor NonZero(int seed, params int[] shape) => GradientCheck.AwayFrom(seed, -2f, 2f, [0f], 0.5f, shape);

    private static Tensor Positive(int seed, params int[] shape) => GradientCheck.Random(seed, 0.5f, 2f, shape);

    // Two operands on interleaved grids (spacing 0.2, offset 0.1): every pair differs by at least 0.1, so no ties.
    private static Tensor GridA(int seed, params int[] shape) => GradientCheck.Distinct(seed, 0.2f, shape);

    private static Tensor GridB(int seed, params int[] shape) => Ops.Add(GradientCheck.Distinct(seed, 0.2f, shape), 0.1f);

    // Constants (captured, not differentiated) so that only one operand of a binary op is tracked.
    private static readonly Tensor s_constant = R(100, 2, 3);

    private static readonly Tensor s_constantGrid = GridB(101, 2, 3);

    private static readonly Tensor s_constantBase = Positive(102, 2, 3);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Add same shape", x => Ops.Add(x[0], x[1]), R(1, 2, 3), R(2, 2, 3))
        .Add("Add row vector broadcast", x => Ops.Add(x[0], x[1]), R(3, 2, 3), R(4, 3))
        .Add("Add column broadcast", x => Ops.Add(x[0], x[1]), R(5, 2, 3), R(6, 2, 1))
        .Add("Add both sides broadcast", x => Ops.Add(x[0], x[1]), R(7, 2, 1, 4), R(8, 3, 1))
        .Add("Add rank-0 tensor", x => Ops.Add(x[0], x[1]), R(9), R(10, 2, 3))
        .Add("Add size-1 vector", x => Ops.Add(x[0], x[1]), R(11, 2, 3), R(12, 1))
        .Add("Add scalar", x => Ops.Add(x[0], 1.5f), R(13, 2, 3))
        .Add("Add operator with scalar on the left", x => 1.5f + x[0], R(14, 2, 3))
        .Add("Subtract same shape", x => Ops.Subtract(x[0], x[1]), R(15, 2, 3), R(16, 2, 3))
        .Add("Subtract row vector broadcast", x => Ops.Subtract(x[0], x[1]), R(17, 2, 3), R(18, 3))
        .Add("Subtract broadcast on the left operand", x => Ops.Subtract(x[0], x[1]), R(19, 3), R(20, 4, 3))
        .Add("Subtract scalar", x => Ops.Subtract(x[0], 0.7f), R(21, 2, 3))
        .Add("Subtract from scalar", x => Ops.Subtract(0.7f, x[0]), R(22, 2, 3))
        .Add("Negative", x => Ops.Negative(x[0]), R(23, 2, 3))
        .Add("Multiply same shape", x => Ops.Multiply(x[0], x[1]), R(24, 2, 3), R(25, 2, 3))
        .Add("Multiply row vector broadcast", x => Ops.Multiply(x[0], x[1]), R(26, 2, 3), R(27, 3))
        .Add("Multiply both sides broadcast", x => Ops.Multiply(x[0], x[1]), R(28, 3, 1), R(29, 1, 4))
        .Add("Multiply rank-0 tensor", x => Ops.Multiply(x[0], x[1]), R(30, 2, 3), R(31))
        .Add("Multiply same tensor twice", x => Ops.Multiply(x[0], x[0]), R(32, 2, 3))
        .Add("Multiply scalar", x => Ops.Multiply(x[0], -1.25f), R(33, 2, 3))
        .Add("Divide same shape", x => Ops.Divide(x[0], x[1]), R(34, 2, 3), NonZero(35, 2, 3))
        .Add("Divide row vector broadcast", x => Ops.Divide(x[0], x[1]), R(36, 2, 3), NonZero(37, 3))
        .Add("Divide broadcast numerator", x => Ops.Divide(x[0], x[1]), R(38, 2, 1), NonZero(39, 2, 3))
        .Add("Divide by scalar", x => Ops.Divide(x[0], 0.8f), R(40, 2, 3))
        .Add("Divide scalar by tensor", x => Ops.Divide(2.5f, x[0]), NonZero(41, 2, 3))
        .Add("Reciprocal", x => Ops.Reciprocal(x[0]), NonZero(42, 2, 3))
        .Add("Maximum same shape", x => Ops.Maximum(x[0], x[1]), GridA(43, 2, 3), GridB(44, 2, 3))
        .Add("Maximum row vector broadcast", x => Ops.Maximum(x[0], x[1]), GridA(45, 2, 3), GridB(46, 3))
        .Add("Maximum with scalar", x => Ops.Maximum(x[0], 0.25f), GridA(47, 3, 4))
        .Add("Minimum same shape", x => Ops.Minimum(x[0], x[1]), GridA(48, 2, 3), GridB(49, 2, 3))
        .Add("Minimum column broadcast", x => Ops.Minimum(x[0], x[1]), GridA(50, 2, 3), GridB(51, 2, 1))
        .Add("Minimum with scalar", x => Ops.Minimum(x[0], 0.25f), GridA(52, 3, 4))
        .Add("Power with constant exponent 2", x => Ops.Power(x[0], 2f), R(53, 2, 3))
        .Add("Power with constant exponent 3", x => Ops.Power(x[0], 3f), R(54, 2, 3))
        .Add("Power with constant exponent 0.5", x => Ops.Power(x[0], 0.5f), Positive(55, 2, 3))
        .Add("Power with constant exponent -1.5", x => Ops.Power(x[0], -1.5f), Positive(56, 2, 3))
        .Add("Power with tensor exponent", x => Ops.Power(x[0], x[1]), Positive(57, 2, 3), R(58, 2, 3))
        .Add("Power with broadcast exponent", x => Ops.Power(x[0], x[1]), Positive(59, 2, 3), R(60, 3))
        .Add("Power with broadcast base", x => Ops.Power(x[0], x[1]), Positive(61, 3), R(62, 2, 3))
        .Add("Multiply by a constant tensor", x => Ops.Multiply(x[0], s_constant), R(65, 2, 3))
        .Add("Subtract from a constant tensor", x => Ops.Subtract(s_constant, x[0]), R(66, 3))
        .Add("Divide a constant tensor", x => Ops.Divide(s_constant, x[0]), NonZero(67, 2, 3))
        .Add("Maximum against a constant tensor", x => Ops.Maximum(s_constantGrid, x[0]), GridA(68, 2, 3))
        .Add("Power of a constant base", x => Ops.Power(s_constantBase, x[0]), R(69, 2, 3))
        .Add("Power with a constant exponent tensor", x => Ops.Power(x[0], s_constant), Positive(70, 2, 3))
        .Add("Chained arithmetic reusing inputs", x => (x[0] * x[1]) - (x[0] / (x[1] * x[1] + 1f)), R(63, 2, 3), R(64, 3));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Arithmetic_gradient_matches_finite_differences(string op) => s_cases.Check(op);
}
