using KerasNotes.Losses;

namespace KerasNotes.Tests.OpsTests;

public sealed class ReductionEdgeCaseTests
{
    [Fact]
    public void LogSumExp_of_a_row_of_minus_infinity_is_minus_infinity_as_in_TensorFlow()
    {
        var x = Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity, 0f, 1f], 2, 2);
        var y = Ops.LogSumExp(x).ToArray();
        y[0].Should().Be(float.NegativeInfinity);
        y[1].Should().BeApproximately(1.3132616f, 1e-6f);
    }

    [Fact]
    public void Mean_with_sample_weight_reduction_differentiates_through_the_weights()
    {
        var values = Tensor.FromArray([1f, 2f, 3f], 3);
        var weights = new Variable(Tensor.FromArray([0.5f, 1f, 1.5f], 3), "w");
        using var tape = new GradientTape();
        var loss = Loss.Reduce(values, weights, "mean_with_sample_weight");
        var grad = tape.Gradient(loss, [weights])[0].ToArray();
        // L = Σ v·w / Σ w  ⇒  dL/dw_i = (v_i − L) / Σ w
        float l = loss.Item();
        for (int i = 0; i < 3; i++)
        {
            grad[i].Should().BeApproximately((values.ToArray()[i] - l) / 3f, 1e-6f);
        }
    }
}
