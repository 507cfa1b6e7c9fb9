using KerasNotes.Serialization;

namespace KerasNotes.Metrics;

/// <summary>A custom metric: per-sample values for a batch (averaged by a <see cref="MeanMetricWrapper"/>).</summary>
public delegate Tensor MetricFunction(Tensor yTrue, Tensor yPred);

/// <summary>Whether larger values of a metric are better (callbacks use it in <c>mode="auto"</c>).</summary>
public enum MetricDirection
{
    /// <summary>Unknown: a callback in auto mode cannot monitor it.</summary>
    None,

    /// <summary>Larger is better (accuracies).</summary>
    Up,

    /// <summary>Smaller is better (errors, losses).</summary>
    Down,
}

/// <summary>
/// The base of every metric (Keras <c>keras.metrics.Metric</c>): state accumulated over batches by
/// <see cref="UpdateState"/>, read by <see cref="Result"/>, cleared by <see cref="ResetState"/>.
/// </summary>
public abstract class Metric : IRegistered<Metric>
{
    /// <summary>
    /// Every metric that can be found by name (<c>"accuracy"</c>, <c>"mae"</c>…) or rebuilt from a saved config: each
    /// built-in adds itself from its own file; custom metrics come in through <c>CustomObjects</c>.
    /// </summary>
    internal static Registry<Metric> Table { get; } = new(
        "metric", "keras.metrics", customHint: "; register it with CustomObjects.RegisterMetric(\"{0}\", ...) or pass new CustomObjects().AddMetric(\"{0}\", ...) to Model.Load");

    /// <inheritdoc />
    static Registry<Metric> IRegistered<Metric>.Registry => Table;

    /// <summary>Creates a metric.</summary>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The name used as the logs key (compile may rename a metric to the string the user passed).</summary>
    public string Name { get; internal set; }

    /// <summary>Whether larger is better.</summary>
    public virtual MetricDirection Direction => MetricDirection.None;

    /// <summary>Accumulates a batch.</summary>
    public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

    /// <summary>The current value.</summary>
    public abstract double Result();

    /// <summary>Clears the accumulated state.</summary>
    public abstract void ResetState();

    /// <summary>The configuration Keras writes: <c>name</c>, <c>dtype</c>, then the metric's own arguments.</summary>
    public virtual IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["name"] = Name,
        ["dtype"] = "float32",
    };

    /// <summary>
    /// Resolves a Keras metric identifier: <c>"accuracy"</c>/<c>"acc"</c> (picked from the shapes at the first
    /// update), aliases such as <c>"mse"</c>/<c>"mae"</c> (the metric keeps the alias as its name), function
    /// names such as <c>"sparse_categorical_accuracy"</c>, class names, or a name registered in
    /// <c>CustomObjects</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static Metric Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return Table.TryGet(identifier.Trim()) ?? throw new ArgumentException(
            $"Unknown metric '{identifier}'; expected one of {string.Join(", ", Table.KnownNames)}, a Metric, a MetricFunction, or a name registered with CustomObjects.RegisterMetric.",
            nameof(identifier));
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}('{Name}')";
}
