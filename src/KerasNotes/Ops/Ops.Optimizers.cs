using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// The optimizers' way to the kernels: their update plan, their update rules on spans, weight decay and the
/// gradient clipping passes. Optimizers describe what to do; only these entry points touch the kernels.
/// </summary>
public static partial class Ops
{
    /// <summary>Runs one step's <paramref name="plan"/>, split over the kernel threads from <c>KernelControl.UpdateParallelThreshold</c> elements.</summary>
    internal static void ApplyUpdates(UpdatePlan plan) => ParallelFor.Run(plan, plan.Total, KernelControl.UpdateParallelThreshold);

    /// <summary>Applies <paramref name="rule"/> in place to one variable's values and slots, on the calling thread.</summary>
    internal static void ApplyUpdateRule(
        in UpdateRule rule, ReadOnlySpan<float> gradient, Span<float> variable, Span<float> slot0, Span<float> slot1, Span<float> slot2) =>
        OptimizerKernels.Apply(rule, gradient, variable, slot0, slot1, slot2);

    /// <summary>w ← w − (w·wd)·lr, on the calling thread.</summary>
    internal static void DecoupledWeightDecay(Span<float> variable, float weightDecay, float learningRate) =>
        OptimizerKernels.DecoupledWeightDecay(variable, weightDecay, learningRate);

    /// <summary>Σ g² in float32 (the partial sums of <c>Reductions</c>).</summary>
    internal static float SumOfSquaresOf(ReadOnlySpan<float> gradient) => OptimizerKernels.SumOfSquares(gradient);

    /// <summary>d = (g·scale) / denominator (Keras clip_by_norm).</summary>
    internal static void ScaleThenDivide(ReadOnlySpan<float> gradient, float scale, float denominator, Span<float> destination) =>
        OptimizerKernels.ScaleThenDivide(gradient, scale, denominator, destination);

    /// <summary>d = g·scale.</summary>
    internal static void Scale(ReadOnlySpan<float> gradient, float scale, Span<float> destination) =>
        ElementwiseDriver.BinaryScalar<MultiplyOp>(gradient, scale, destination);

    /// <summary>d = min(max(g, −limit), limit), NaN kept (Keras clip_by_value).</summary>
    internal static void ClipByValue(ReadOnlySpan<float> gradient, float limit, Span<float> destination)
    {
        ElementwiseDriver.BinaryScalar<MaximumOp>(gradient, -limit, destination);
        ElementwiseDriver.BinaryScalar<MinimumOp>(destination, limit, destination);
    }
}
