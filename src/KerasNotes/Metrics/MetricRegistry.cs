namespace KerasNotes.Metrics;

/// <summary>Resolves Keras metric identifiers.</summary>
internal static class MetricRegistry
{
    public static readonly string[] KnownNames =
    [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error", "mse",
        "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape", "mean_squared_logarithmic_error",
        "msle", "root_mean_squared_error", "logcosh", "binary_crossentropy", "bce", "categorical_crossentropy",
        "sparse_categorical_crossentropy", "kl_divergence", "kld", "poisson", "hinge", "squared_hinge", "categorical_hinge",
    ];

    public static Metric? TryGet(string identifier)
    {
        string key = identifier.Trim();
        return key switch
        {
            "accuracy" or "acc" => new ShapeResolvedAccuracy(key),
            "binary_accuracy" or "BinaryAccuracy" => new BinaryAccuracy(),
            "categorical_accuracy" or "CategoricalAccuracy" => new CategoricalAccuracy(),
            "sparse_categorical_accuracy" or "SparseCategoricalAccuracy" => new SparseCategoricalAccuracy(),
            "top_k_categorical_accuracy" or "TopKCategoricalAccuracy" => new TopKCategoricalAccuracy(),
            "sparse_top_k_categorical_accuracy" or "SparseTopKCategoricalAccuracy" => new SparseTopKCategoricalAccuracy(),
            // Aliases keep the exact string as the metric name (Keras logs "mae" for metrics=["mae"]).
            "mean_squared_error" or "mse" or "MeanSquaredError" => new MeanSquaredError(Named(key, "mean_squared_error")),
            "mean_absolute_error" or "mae" or "MeanAbsoluteError" => new MeanAbsoluteError(Named(key, "mean_absolute_error")),
            "mean_absolute_percentage_error" or "mape" or "MeanAbsolutePercentageError" => new MeanAbsolutePercentageError(Named(key, "mean_absolute_percentage_error")),
            "mean_squared_logarithmic_error" or "msle" or "MeanSquaredLogarithmicError" => new MeanSquaredLogarithmicError(Named(key, "mean_squared_logarithmic_error")),
            "root_mean_squared_error" or "RootMeanSquaredError" => new RootMeanSquaredError(),
            "logcosh" or "LogCoshError" => new LogCoshError(),
            "binary_crossentropy" or "bce" or "BinaryCrossentropy" => new BinaryCrossentropy(Named(key, "binary_crossentropy")),
            "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
            "kl_divergence" or "kld" or "KLDivergence" => new KLDivergence(Named(key, "kl_divergence")),
            "poisson" or "Poisson" => new Poisson(),
            "hinge" or "Hinge" => new Hinge(),
            "squared_hinge" or "SquaredHinge" => new SquaredHinge(),
            "categorical_hinge" or "CategoricalHinge" => new CategoricalHinge(),
            _ => null,
        };
    }

    // A class name resolves to the canonical snake-case name; an alias or function name stays as typed.
    private static string Named(string key, string canonical) => char.IsUpper(key[0]) ? canonical : key;
}
