using KerasNotes.Serialization;

namespace KerasNotes.Metrics;

/// <summary>Mean squared error as a metric (Keras <c>keras.metrics.MeanSquaredError</c>).</summary>
public sealed class MeanSquaredError(string name = "mean_squared_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanSquaredError().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static MeanSquaredError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new MeanSquaredError(name) : new MeanSquaredError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("MeanSquaredError", FromConfig);
        Table.AddNames(name => new MeanSquaredError(name: name), "mean_squared_error", "mse", "MSE");
    }
}

/// <summary>Mean absolute error as a metric.</summary>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanAbsoluteError().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static MeanAbsoluteError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new MeanAbsoluteError(name) : new MeanAbsoluteError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("MeanAbsoluteError", FromConfig);
        Table.AddNames(name => new MeanAbsoluteError(name: name), "mean_absolute_error", "mae", "MAE");
    }
}

/// <summary>Mean absolute percentage error as a metric.</summary>
public sealed class MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanAbsolutePercentageError().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static MeanAbsolutePercentageError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new MeanAbsolutePercentageError(name) : new MeanAbsolutePercentageError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("MeanAbsolutePercentageError", FromConfig);
        Table.AddNames(name => new MeanAbsolutePercentageError(name: name), "mean_absolute_percentage_error", "mape", "MAPE");
    }
}

/// <summary>Mean squared logarithmic error as a metric.</summary>
public sealed class MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanSquaredLogarithmicError().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static MeanSquaredLogarithmicError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new MeanSquaredLogarithmicError(name) : new MeanSquaredLogarithmicError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("MeanSquaredLogarithmicError", FromConfig);
        Table.AddNames(name => new MeanSquaredLogarithmicError(name: name), "mean_squared_logarithmic_error", "msle", "MSLE");
    }
}

/// <summary>Log-cosh error as a metric.</summary>
public sealed class LogCoshError(string name = "logcosh")
    : MeanMetricWrapper((t, p) => new Losses.LogCosh().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static LogCoshError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new LogCoshError(name) : new LogCoshError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("LogCoshError", FromConfig);
        Table.AddNames(name => new LogCoshError(name: name), "logcosh", "log_cosh_error");
    }
}

/// <summary>Root of the mean squared error over all samples seen (Keras <c>RootMeanSquaredError</c>).</summary>
public sealed class RootMeanSquaredError : Metric
{
    private readonly Mean _mse = new();

    /// <summary>Creates the metric.</summary>
    public RootMeanSquaredError(string name = "root_mean_squared_error")
        : base(name)
    {
    }

    /// <inheritdoc />
    public override MetricDirection Direction => MetricDirection.Down;

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var pause = GradientTape.Pause();
        var (t, p) = Losses.Loss.AlignRanks(yTrue, yPred);
        _mse.UpdateValues(Ops.Square(Ops.Subtract(t, p)), sampleWeight);
    }

    /// <inheritdoc />
    public override double Result() => Math.Sqrt(_mse.Result());

    /// <inheritdoc />
    public override void ResetState() => _mse.ResetState();
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static RootMeanSquaredError FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new RootMeanSquaredError(name) : new RootMeanSquaredError();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("RootMeanSquaredError", FromConfig);
        Table.AddNames(name => new RootMeanSquaredError(name: name), "root_mean_squared_error");
    }
}

/// <summary>Binary crossentropy as a metric.</summary>
public sealed class BinaryCrossentropy(string name = "binary_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.BinaryCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Whether predictions are logits (saved as <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = 0;
        return config;
    }

    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>); refuses what it cannot compute.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static BinaryCrossentropy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CrossentropyMetricConfig.RejectUnsupported(config, "BinaryCrossentropy");
        return config.Name is { } name ? new BinaryCrossentropy(name, config.GetBoolean("from_logits")) : new BinaryCrossentropy(fromLogits: config.GetBoolean("from_logits"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("BinaryCrossentropy", FromConfig);
        Table.AddNames(name => new BinaryCrossentropy(name: name), "binary_crossentropy", "bce", "BCE");
    }
}

/// <summary>Categorical crossentropy as a metric.</summary>
public sealed class CategoricalCrossentropy(string name = "categorical_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.CategoricalCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Whether predictions are logits (saved as <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = 0;
        config["axis"] = -1;
        return config;
    }

    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>); refuses what it cannot compute.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static CategoricalCrossentropy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CrossentropyMetricConfig.RejectUnsupported(config, "CategoricalCrossentropy");
        return config.Name is { } name ? new CategoricalCrossentropy(name, config.GetBoolean("from_logits")) : new CategoricalCrossentropy(fromLogits: config.GetBoolean("from_logits"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("CategoricalCrossentropy", FromConfig);
        Table.AddNames(name => new CategoricalCrossentropy(name: name), "categorical_crossentropy");
    }
}

/// <summary>Sparse categorical crossentropy as a metric.</summary>
public sealed class SparseCategoricalCrossentropy(string name = "sparse_categorical_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.SparseCategoricalCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Whether predictions are logits (saved as <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["axis"] = -1;
        return config;
    }

    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>); refuses what it cannot compute.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static SparseCategoricalCrossentropy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CrossentropyMetricConfig.RejectUnsupported(config, "SparseCategoricalCrossentropy");
        return config.Name is { } name ? new SparseCategoricalCrossentropy(name, config.GetBoolean("from_logits")) : new SparseCategoricalCrossentropy(fromLogits: config.GetBoolean("from_logits"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("SparseCategoricalCrossentropy", FromConfig);
        Table.AddNames(name => new SparseCategoricalCrossentropy(name: name), "sparse_categorical_crossentropy");
    }
}

/// <summary>Kullback–Leibler divergence as a metric.</summary>
public sealed class KLDivergence(string name = "kl_divergence")
    : MeanMetricWrapper((t, p) => new Losses.KLDivergence().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static KLDivergence FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new KLDivergence(name) : new KLDivergence();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("KLDivergence", FromConfig);
        Table.AddNames(name => new KLDivergence(name: name), "kl_divergence", "kld");
    }
}

/// <summary>Poisson loss as a metric.</summary>
public sealed class Poisson(string name = "poisson")
    : MeanMetricWrapper((t, p) => new Losses.Poisson().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static Poisson FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new Poisson(name) : new Poisson();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("Poisson", FromConfig);
        Table.AddNames(name => new Poisson(name: name), "poisson");
    }
}

/// <summary>Hinge loss as a metric.</summary>
public sealed class Hinge(string name = "hinge")
    : MeanMetricWrapper((t, p) => new Losses.Hinge().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static Hinge FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new Hinge(name) : new Hinge();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("Hinge", FromConfig);
        Table.AddNames(name => new Hinge(name: name), "hinge");
    }
}

/// <summary>Squared hinge loss as a metric.</summary>
public sealed class SquaredHinge(string name = "squared_hinge")
    : MeanMetricWrapper((t, p) => new Losses.SquaredHinge().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static SquaredHinge FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new SquaredHinge(name) : new SquaredHinge();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("SquaredHinge", FromConfig);
        Table.AddNames(name => new SquaredHinge(name: name), "squared_hinge");
    }
}

/// <summary>Categorical hinge loss as a metric.</summary>
public sealed class CategoricalHinge(string name = "categorical_hinge")
    : MeanMetricWrapper((t, p) => new Losses.CategoricalHinge().Call(t, p), name, MetricDirection.Down)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static CategoricalHinge FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new CategoricalHinge(name) : new CategoricalHinge();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("CategoricalHinge", FromConfig);
        Table.AddNames(name => new CategoricalHinge(name: name), "categorical_hinge");
    }
}

/// <summary>What the crossentropy metrics share when they are read from a file.</summary>
internal static class CrossentropyMetricConfig
{
    /// <summary>
    /// Refuses <c>label_smoothing</c> other than 0 and <c>axis</c> other than -1: the metrics compute neither, and a
    /// metric that silently ignored them would report other numbers than Keras for the same model.
    /// </summary>
    public static void RejectUnsupported(ObjectConfig config, string className)
    {
        double smoothing = config.GetDouble("label_smoothing");
        if (smoothing != 0)
        {
            throw config.Fail("label_smoothing", $"metric {className} '{config.Name}': label_smoothing = {smoothing} is not supported; expected 0.");
        }

        int axis = config.GetInt32("axis", -1);
        if (axis != -1)
        {
            throw config.Fail("axis", $"metric {className} '{config.Name}': axis = {axis} is not supported; expected -1.");
        }
    }
}
