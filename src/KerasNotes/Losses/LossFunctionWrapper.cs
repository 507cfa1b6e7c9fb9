namespace KerasNotes.Losses;

/// <summary>
/// Wraps a <see cref="LossFunction"/> as a <see cref="Loss"/> (Keras <c>LossFunctionWrapper</c>):
/// labels and predictions are rank-aligned first, then the function gives per-sample values that
/// are weighted and reduced like any loss.
/// </summary>
public sealed class LossFunctionWrapper : Loss
{
    /// <summary>Wraps <paramref name="function"/>.</summary>
    /// <param name="function">Returns per-sample losses; if it returns a scalar, no further reduction happens.</param>
    /// <param name="name">The name (used in configs, and to find the function again through <c>CustomObjects</c>).</param>
    /// <param name="reduction">The reduction.</param>
    public LossFunctionWrapper(LossFunction function, string name = "loss_function", string reduction = "sum_over_batch_size")
        : base(name, reduction)
    {
        ArgumentNullException.ThrowIfNull(function);
        Function = function;
    }

    /// <summary>The wrapped function.</summary>
    public LossFunction Function { get; }

    /// <summary>A custom function decides for itself which targets it takes, so nothing is checked up front.</summary>
    protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        return Function(t, p) ?? throw new InvalidOperationException($"Loss function '{Name}' returned null.");
    }
}
