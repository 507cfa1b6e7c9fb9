using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.OpsTests;

/// <summary>
/// Finite-difference checks of every activation op; inputs keep at least 0.05 away from each kink (0 for the ReLU family,
/// 6 for Relu6, ±3 for the hard functions) so the differences never straddle one.
/// </summary>
public sealed class ActivationGradientTests
{
    private static Tensor Away(int seed, float lo, float hi, params float[] kinks) => GradientCheck.AwayFrom(seed, lo, hi, kinks, 0.05f, 4, 6);

    private static Tensor Smooth(int seed, float lo, float hi) => GradientCheck.Random(seed, lo, hi, 4, 6);

    private static readonly GradientCases s_cases = new GradientCases()
        .Add("Relu", x => Ops.Relu(x[0]), Away(1, -3f, 3f, 0f))
        .Add("Relu6", x => Ops.Relu6(x[0]), Away(2, -3f, 9f, 0f, 6f))
        .Add("LeakyRelu with the default slope", x => Ops.LeakyRelu(x[0]), Away(3, -3f, 3f, 0f))
        .Add("LeakyRelu with slope 0.01", x => Ops.LeakyRelu(x[0], 0.01f), Away(4, -3f, 3f, 0f))
        .Add("Elu", x => Ops.Elu(x[0]), Away(5, -4f, 3f, 0f))
        .Add("Elu with alpha 0.5", x => Ops.Elu(x[0], 0.5f), Away(6, -4f, 3f, 0f))
        .Add("Selu", x => Ops.Selu(x[0]), Away(7, -4f, 3f, 0f))
        .Add("Softsign", x => Ops.Softsign(x[0]), Away(8, -4f, 4f, 0f))
        .Add("Silu", x => Ops.Silu(x[0]), Smooth(9, -6f, 6f))
        .Add("HardSigmoid", x => Ops.HardSigmoid(x[0]), Away(10, -5f, 5f, -3f, 3f))
        .Add("HardSilu", x => Ops.HardSilu(x[0]), Away(11, -5f, 5f, -3f, 3f))
        .Add("Mish", x => Ops.Mish(x[0]), Smooth(12, -6f, 6f))
        .Add("Gelu exact", x => Ops.Gelu(x[0]), Smooth(13, -5f, 5f))
        .Add("Gelu approximate", x => Ops.Gelu(x[0], approximate: true), Smooth(14, -5f, 5f))
        .Add("Sigmoid", x => Ops.Sigmoid(x[0]), Smooth(15, -6f, 6f))
        .Add("Tanh", x => Ops.Tanh(x[0]), Smooth(16, -3f, 3f))
        .Add("Softplus", x => Ops.Softplus(x[0]), Smooth(17, -6f, 6f));

    public static TheoryData<string> Cases => s_cases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Activation_gradient_matches_finite_differences(string op) => s_cases.Check(op);

    [Fact]
    public void Relu_gradient_at_exactly_zero_is_zero()
    {
        var x = new Variable(Tensor.FromArray([0f, 1f, -1f], 3), "x");
        using var tape = new GradientTape();
        var grad = tape.Gradient(Ops.Sum(Ops.Relu(x)), [x])[0];
        grad.ToArray().Should().Equal(0f, 1f, 0f);
    }
}
