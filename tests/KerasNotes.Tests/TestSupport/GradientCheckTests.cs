using Xunit.Sdk;

namespace KerasNotes.Tests.TestSupport;

/// <summary>The gradient-check harness must itself catch a wrong gradient, or every check built on it proves nothing.</summary>
public sealed class GradientCheckTests
{
    [Fact]
    public void GradientCheck_rejects_a_gradient_that_ignores_a_path()
    {
        // On the tape d(x·stop(x))/dx = x; the finite difference sees 2x.
        var act = () => GradientCheck.Check(x => Ops.Multiply(x[0], Ops.StopGradient(x[0])), [Tensor.FromArray([1f, 2f], 2)]);
        act.Should().Throw<XunitException>().WithMessage("*analytic*finite difference*");
    }

    [Fact]
    public void CheckVariables_rejects_a_gradient_that_ignores_a_path_and_restores_the_variable()
    {
        var v = new Variable(Tensor.FromArray([1f, 2f], 2), "v");
        var act = () => GradientCheck.CheckVariables(() => Ops.Multiply(v, Ops.StopGradient(v)), [v]);
        act.Should().Throw<XunitException>();
        v.ToArray().Should().Equal(1f, 2f);
    }

    [Fact]
    public void GradientCheck_accepts_a_correct_gradient_of_every_input()
    {
        GradientCheck.Check(x => Ops.Multiply(x[0], x[1]), [Tensor.FromArray([1f, -2f], 2), Tensor.FromArray([0.5f, 3f], 2)]);
    }
}
