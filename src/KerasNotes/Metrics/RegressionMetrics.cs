namespace KerasNotes.Metrics;

/// <summary>Mean squared error as a metric (Keras <c>keras.metrics.MeanSquaredError</c>).</summary>
public sealed class MeanSquaredError(string name = "mean_squared_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanSquaredError().Call(t, p), name, MetricDirection.Down);

/// <summary>Mean absolute error as a metric.</summary>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanAbsoluteError().Call(t, p), name, MetricDirection.Down);

/// <summary>Mean absolute percentage error as a metric.</summary>
public sealed class MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanAbsolutePercentageError().Call(t, p), name, MetricDirection.Down);

/// <summary>Mean squared logarithmic error as a metric.</summary>
public sealed class MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error")
    : MeanMetricWrapper((t, p) => new Losses.MeanSquaredLogarithmicError().Call(t, p), name, MetricDirection.Down);

/// <summary>Log-cosh error as a metric.</summary>
public sealed class LogCoshError(string name = "logcosh")
    : MeanMetricWrapper((t, p) => new Losses.LogCosh().Call(t, p), name, MetricDirection.Down);

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
}

/// <summary>Binary crossentropy as a metric.</summary>
public sealed class BinaryCrossentropy(string name = "binary_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.BinaryCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down);

/// <summary>Categorical crossentropy as a metric.</summary>
public sealed class CategoricalCrossentropy(string name = "categorical_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.CategoricalCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down);

/// <summary>Sparse categorical crossentropy as a metric.</summary>
public sealed class SparseCategoricalCrossentropy(string name = "sparse_categorical_crossentropy", bool fromLogits = false)
    : MeanMetricWrapper((t, p) => new Losses.SparseCategoricalCrossentropy(fromLogits).Call(t, p), name, MetricDirection.Down);

/// <summary>Kullback–Leibler divergence as a metric.</summary>
public sealed class KLDivergence(string name = "kl_divergence")
    : MeanMetricWrapper((t, p) => new Losses.KLDivergence().Call(t, p), name, MetricDirection.Down);

/// <summary>Poisson loss as a metric.</summary>
public sealed class Poisson(string name = "poisson")
    : MeanMetricWrapper((t, p) => new Losses.Poisson().Call(t, p), name, MetricDirection.Down);

/// <summary>Hinge loss as a metric.</summary>
public sealed class Hinge(string name = "hinge")
    : MeanMetricWrapper((t, p) => new Losses.Hinge().Call(t, p), name, MetricDirection.Down);

/// <summary>Squared hinge loss as a metric.</summary>
public sealed class SquaredHinge(string name = "squared_hinge")
    : MeanMetricWrapper((t, p) => new Losses.SquaredHinge().Call(t, p), name, MetricDirection.Down);

/// <summary>Categorical hinge loss as a metric.</summary>
public sealed class CategoricalHinge(string name = "categorical_hinge")
    : MeanMetricWrapper((t, p) => new Losses.CategoricalHinge().Call(t, p), name, MetricDirection.Down);
