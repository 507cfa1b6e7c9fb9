using KerasNotes.Losses;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Losses;

/// <summary>
/// Finite-difference checks of every built-in loss with respect to the predictions: the per-sample <c>Call</c> and the
/// reduced <c>Apply</c> with sample weights, under each reduction. Inputs keep away from each loss's kinks.
/// </summary>
public sealed class LossGradientTests
{
    private const int Batch = 4;
    private const int Features = 3;

    private static readonly Tensor s_sampleWeight = Tensor.FromArray([0.5f, 1f, 2f, 0.25f], Batch);

    private static Tensor R(int seed, float lo, float hi) => GradientCheck.Random(seed, lo, hi, Batch, Features);

    private static Tensor Away(int seed, float lo, float hi, params float[] kinks) => GradientCheck.AwayFrom(seed, lo, hi, kinks, 0.05f, Batch, Features);

    private static Tensor OneHot(params int[] labels) => Ops.OneHot(Tensor.FromLabels(labels), Features);

    private static readonly Tensor s_regressionTarget = R(1, -2f, 2f);

    // Signed ±1 labels; predictions p = t·(1 − m) put the hinge's kink (1 − t·p = m) away from the inputs.
    private static readonly Tensor s_signs = Tensor.FromArray([1, -1, 1, -1, -1, 1, 1, 1, -1, -1, 1, -1], Batch, Features);

    private static readonly Tensor s_hingePred = Ops.Multiply(s_signs, Ops.Subtract(1f, Away(2, -1.5f, 1.5f, 0f)));

    private static readonly Tensor s_oneHot = OneHot(0, 2, 1, 2);

    private static readonly Tensor s_binaryTarget = Tensor.FromArray([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0], Batch, Features);

    // Targets away from zero (so max(|y|, 1e-7) is |y|); the predictions keep away from the kink at p = y.
    private static readonly Tensor s_mapeTarget = Away(5, -2f, 2f, 0f);

    private static readonly Tensor s_labels = Tensor.FromLabels([0, 2, 1, 2]);

    private sealed record LossCase(Func<string, Loss> Make, Tensor YTrue, Tensor YPred);

    private static readonly Dictionary<string, LossCase> s_losses = new(StringComparer.Ordinal)
    {
        ["MeanSquaredError"] = new(r => new MeanSquaredError(r), s_regressionTarget, R(3, -2f, 2f)),
        ["MeanAbsoluteError"] = new(r => new MeanAbsoluteError(r), s_regressionTarget, Ops.Add(s_regressionTarget, Away(4, -1f, 1f, 0f))),
        ["MeanAbsolutePercentageError"] = new(r => new MeanAbsolutePercentageError(r), s_mapeTarget, Ops.Add(s_mapeTarget, Away(6, -1f, 1f, 0f))),
        ["MeanSquaredLogarithmicError"] = new(r => new MeanSquaredLogarithmicError(r), R(7, 0f, 3f), R(8, 0.2f, 3f)),
        ["Huber"] = new(r => new Huber(1.0, r), s_regressionTarget, Ops.Add(s_regressionTarget, Away(9, -2.5f, 2.5f, -1f, 1f))),
        ["Huber with delta 0.5"] = new(r => new Huber(0.5, r), s_regressionTarget, Ops.Add(s_regressionTarget, Away(10, -1.5f, 1.5f, -0.5f, 0.5f))),
        ["LogCosh"] = new(r => new LogCosh(r), s_regressionTarget, R(11, -3f, 3f)),
        ["KLDivergence"] = new(r => new KLDivergence(r), R(12, 0.05f, 1f), R(13, 0.05f, 0.95f)),
        ["Poisson"] = new(r => new Poisson(r), R(14, 0f, 3f), R(15, 0.2f, 3f)),
        ["Hinge with signed labels"] = new(r => new Hinge(r), s_signs, s_hingePred),
        ["Hinge with 0/1 labels"] = new(r => new Hinge(r), Ops.Divide(Ops.Add(s_signs, 1f), 2f), s_hingePred),
        ["SquaredHinge"] = new(r => new SquaredHinge(r), s_signs, s_hingePred),
        // Distinct predictions on a grid offset from 0 by 0.15: the inner max has one winner and the outer max is never at 0.
        ["CategoricalHinge"] = new(r => new CategoricalHinge(r), s_oneHot, Ops.Add(GradientCheck.Distinct(16, 0.3f, Batch, Features), 0.15f)),
        ["BinaryCrossentropy on probabilities"] = new(r => new BinaryCrossentropy(reduction: r), s_binaryTarget, R(17, 0.05f, 0.95f)),
        ["BinaryCrossentropy with soft labels and smoothing"] = new(
            r => new BinaryCrossentropy(labelSmoothing: 0.2, reduction: r), R(18, 0f, 1f), R(19, 0.05f, 0.95f)),
        ["BinaryCrossentropy from logits"] = new(r => new BinaryCrossentropy(fromLogits: true, reduction: r), s_binaryTarget, Away(20, -4f, 4f, 0f)),
        ["CategoricalCrossentropy on probabilities"] = new(r => new CategoricalCrossentropy(reduction: r), s_oneHot, R(21, 0.1f, 1f)),
        ["CategoricalCrossentropy with smoothing"] = new(r => new CategoricalCrossentropy(labelSmoothing: 0.1, reduction: r), s_oneHot, R(22, 0.1f, 1f)),
        ["CategoricalCrossentropy from logits"] = new(r => new CategoricalCrossentropy(fromLogits: true, reduction: r), s_oneHot, R(23, -3f, 3f)),
        ["CategoricalCrossentropy from logits with smoothing"] = new(
            r => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2, reduction: r), s_oneHot, R(24, -3f, 3f)),
        ["SparseCategoricalCrossentropy on probabilities"] = new(r => new SparseCategoricalCrossentropy(reduction: r), s_labels, R(25, 0.1f, 1f)),
        ["SparseCategoricalCrossentropy from logits"] = new(r => new SparseCategoricalCrossentropy(fromLogits: true, reduction: r), s_labels, R(26, -3f, 3f)),
        ["SparseCategoricalCrossentropy with labels of shape (N, 1)"] = new(
            r => new SparseCategoricalCrossentropy(fromLogits: true, reduction: r), Ops.ExpandDims(s_labels, -1), R(27, -3f, 3f)),
        ["LossFunctionWrapper around a custom function"] = new(
            r => new LossFunctionWrapper((t, p) => Ops.Mean(Ops.Multiply(Ops.Square(Ops.Subtract(t, p)), 2f), axis: -1), reduction: r),
            s_regressionTarget,
            R(28, -2f, 2f)),
    };

    public static TheoryData<string> LossNames => new(s_losses.Keys);

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Per_sample_loss_gradient_matches_finite_differences(string loss)
    {
        var c = s_losses[loss];
        var fn = c.Make("none");
        GradientCheck.Check(x => fn.Call(c.YTrue, x[0]), [c.YPred], what: $"{loss} Call");
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Reduced_loss_with_sample_weights_gradient_matches_finite_differences(string loss)
    {
        var c = s_losses[loss];
        var fn = c.Make("sum_over_batch_size");
        GradientCheck.Check(x => fn.Apply(c.YTrue, x[0], s_sampleWeight), [c.YPred], what: $"{loss} Apply");
    }

    [Theory]
    [InlineData("sum")]
    [InlineData("mean_with_sample_weight")]
    [InlineData("none")]
    [InlineData("mean")]
    public void Each_reduction_gradient_matches_finite_differences(string reduction)
    {
        var c = s_losses["CategoricalCrossentropy from logits"];
        var fn = c.Make(reduction);
        GradientCheck.Check(x => fn.Apply(c.YTrue, x[0], s_sampleWeight), [c.YPred], what: reduction);
    }

    [Fact]
    public void Reduced_loss_gradient_with_respect_to_the_sample_weights_matches_finite_differences()
    {
        var c = s_losses["MeanSquaredError"];
        var fn = c.Make("sum_over_batch_size");
        GradientCheck.Check(x => fn.Apply(c.YTrue, x[0], x[1]), [c.YPred, s_sampleWeight], what: "MSE with weights");
    }

    [Fact]
    public void Sum_over_batch_size_divides_by_the_element_count_not_the_weight_sum()
    {
        var loss = new MeanSquaredError();
        var t = Tensor.FromArray([0f, 0f], 2, 1);
        var p = Tensor.FromArray([1f, 2f], 2, 1);
        loss.Apply(t, p, Tensor.FromArray([1f, 0f], 2)).Item().Should().Be(0.5f);
        new MeanSquaredError("mean_with_sample_weight").Apply(t, p, Tensor.FromArray([1f, 3f], 2)).Item().Should().Be(13f / 4f);
    }
}
