namespace KerasNotes.Losses;

/// <summary>Resolves Keras loss identifiers (function names, aliases and class names).</summary>
internal static class LossRegistry
{
    public static readonly string[] KnownNames =
    [
        "mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
        "mean_squared_logarithmic_error", "msle", "binary_crossentropy", "bce", "categorical_crossentropy",
        "sparse_categorical_crossentropy", "huber", "huber_loss", "log_cosh", "logcosh", "kl_divergence", "kld",
        "kullback_leibler_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge", "crossentropy", "ce",
    ];

    /// <summary>The loss for <paramref name="identifier"/>, or null if unknown (built-ins only; see CustomObjects for the rest).</summary>
    public static Loss? TryGet(string identifier)
    {
        string key = identifier.Trim();
        return key switch
        {
            "mean_squared_error" or "mse" or "MeanSquaredError" => new MeanSquaredError(),
            "mean_absolute_error" or "mae" or "MeanAbsoluteError" => new MeanAbsoluteError(),
            "mean_absolute_percentage_error" or "mape" or "MeanAbsolutePercentageError" => new MeanAbsolutePercentageError(),
            "mean_squared_logarithmic_error" or "msle" or "MeanSquaredLogarithmicError" => new MeanSquaredLogarithmicError(),
            "binary_crossentropy" or "bce" or "BinaryCrossentropy" => new BinaryCrossentropy(),
            "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
            "huber" or "huber_loss" or "Huber" => new Huber(),
            "log_cosh" or "logcosh" or "LogCosh" => new LogCosh(),
            "kl_divergence" or "kld" or "kullback_leibler_divergence" or "KLDivergence" => new KLDivergence(),
            "poisson" or "Poisson" => new Poisson(),
            "hinge" or "Hinge" => new Hinge(),
            "squared_hinge" or "SquaredHinge" => new SquaredHinge(),
            "categorical_hinge" or "CategoricalHinge" => new CategoricalHinge(),
            "crossentropy" or "ce" => new ShapeResolvedCrossentropy(key),
            _ => null,
        };
    }
}

/// <summary>
/// <c>loss="crossentropy"</c>: binary, sparse or categorical crossentropy, picked from the shapes of the
/// first batch by the same rule as <c>metrics=["accuracy"]</c>.
/// </summary>
internal sealed class ShapeResolvedCrossentropy(string name) : Loss(name)
{
    private Loss? _resolved;

    // Which crossentropy applies is known only from the first batch's shapes, so nothing is checked up front.
    protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
    }

    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        _resolved ??= yPred.Shape[-1] == 1
            ? new BinaryCrossentropy()
            : yTrue.Rank < yPred.Rank || (yTrue.Shape[-1] == 1 && yPred.Shape[-1] > 1)
                ? new SparseCategoricalCrossentropy()
                : new CategoricalCrossentropy();
        return _resolved.Call(yTrue, yPred);
    }
}
