using KerasNotes.Activations;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Activations;

/// <summary>Activations by Keras name: each name resolves to its op, aliases agree, unknown names are rejected by name.</summary>
public sealed class ActivationFunctionsTests
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> s_expected = new(StringComparer.Ordinal)
    {
        ["linear"] = x => x,
        ["relu"] = x => Ops.Relu(x),
        ["relu6"] = x => Ops.Relu6(x),
        ["leaky_relu"] = x => Ops.LeakyRelu(x, 0.2f),
        ["elu"] = x => Ops.Elu(x, 1f),
        ["selu"] = x => Ops.Selu(x),
        ["sigmoid"] = x => Ops.Sigmoid(x),
        ["hard_sigmoid"] = x => Ops.HardSigmoid(x),
        ["tanh"] = x => Ops.Tanh(x),
        ["softmax"] = x => Ops.Softmax(x, -1),
        ["log_softmax"] = x => Ops.LogSoftmax(x, -1),
        ["softplus"] = x => Ops.Softplus(x),
        ["softsign"] = x => Ops.Softsign(x),
        ["silu"] = x => Ops.Silu(x),
        ["swish"] = x => Ops.Silu(x),
        ["hard_silu"] = x => Ops.HardSilu(x),
        ["hard_swish"] = x => Ops.HardSilu(x),
        ["gelu"] = x => Ops.Gelu(x, approximate: false),
        ["mish"] = x => Ops.Mish(x),
        ["exponential"] = x => Ops.Exp(x),
    };

    public static TheoryData<string> Names => new(s_expected.Keys);

    [Fact]
    public void Every_built_in_name_is_covered()
    {
        ActivationFunctions.Names.Should().BeEquivalentTo(s_expected.Keys);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Get_resolves_each_keras_name_to_its_op(string name)
    {
        var x = GradientCheck.Random(1, -4f, 8f, 3, 5);
        var fn = ActivationFunctions.Get(name);
        TensorAssert.Close(s_expected[name](x), fn(x), 0, 0, name);
        ActivationFunctions.Exists(name).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Activation_by_name_gradient_matches_finite_differences(string name)
    {
        var fn = ActivationFunctions.Get(name);
        // exp grows too fast for float32 finite differences over the wide range the piecewise activations need.
        var x = name == "exponential"
            ? GradientCheck.Random(2, -2f, 2f, 3, 5)
            : GradientCheck.AwayFrom(2, -5f, 8f, [-3f, 0f, 3f, 6f], 0.05f, 3, 5);
        GradientCheck.Check(v => fn(v[0]), [x], what: name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Null_or_empty_name_means_linear(string? name)
    {
        var x = Tensor.FromArray([1f, -2f]);
        ActivationFunctions.Get(name)(x).Should().BeSameAs(x);
    }

    [Fact]
    public void Unknown_name_throws_naming_it()
    {
        var act = () => ActivationFunctions.Get("rectified");
        act.Should().Throw<ArgumentException>().WithParameterName("name").WithMessage("*'rectified'*");
        ActivationFunctions.Exists("rectified").Should().BeFalse();
    }

    [Fact]
    public void Names_are_case_sensitive_as_in_keras()
    {
        var act = () => ActivationFunctions.Get("ReLU");
        act.Should().Throw<ArgumentException>().WithMessage("*'ReLU'*");
    }
}
