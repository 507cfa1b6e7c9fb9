using KerasNotes.Serialization;

using KerasNotes.Losses;

namespace KerasNotes.Metrics;

/// <summary>The per-sample functions behind the accuracy metrics (Keras <c>accuracy_metrics.py</c>).</summary>
public static class AccuracyFunctions
{
    /// <summary>1 where <c>y == p</c> exactly, per element, after rank alignment (Keras <c>accuracy</c>).</summary>
    public static Tensor Accuracy(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Loss.AlignRanks(yTrue, yPred);
        return Ops.Equal(t, p);
    }

    /// <summary>1 where <c>y == (p &gt; threshold)</c> (strict), per element (Keras <c>binary_accuracy</c>).</summary>
    public static Tensor BinaryAccuracy(Tensor yTrue, Tensor yPred, float threshold = 0.5f)
    {
        var (t, p) = Loss.AlignRanks(yTrue, yPred);
        return Ops.Equal(t, Ops.Greater(p, threshold));
    }

    /// <summary>1 where <c>argmax(y) == argmax(p)</c> (first index on ties), per sample (Keras <c>categorical_accuracy</c>).</summary>
    public static Tensor CategoricalAccuracy(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        return Ops.Equal(Ops.ArgMax(yTrue, -1), Ops.ArgMax(yPred, -1));
    }

    /// <summary>1 where <c>y == argmax(p)</c>, per sample; a trailing label axis of size 1 is squeezed (Keras <c>sparse_categorical_accuracy</c>).</summary>
    public static Tensor SparseCategoricalAccuracy(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var labels = yTrue.Rank == yPred.Rank && yTrue.Rank > 0 && yTrue.Shape[-1] == 1 ? Ops.Squeeze(yTrue, -1) : yTrue;
        return Ops.Equal(labels, Ops.ArgMax(yPred, -1));
    }

    /// <summary>1 where the true class (<c>argmax(y)</c>) is among the <paramref name="k"/> largest predictions (Keras <c>top_k_categorical_accuracy</c>).</summary>
    public static Tensor TopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5) =>
        SparseTopKCategoricalAccuracy(Ops.ArgMax(yTrue, -1), yPred, k);

    /// <summary>
    /// 1 where the label is among the <paramref name="k"/> largest predictions: fewer than k classes score
    /// strictly higher (TensorFlow's <c>in_top_k</c>, so ties count as in).
    /// </summary>
    public static Tensor SparseTopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var labels = yTrue.Rank == yPred.Rank && yTrue.Rank > 0 && yTrue.Shape[-1] == 1 ? Ops.Squeeze(yTrue, -1) : yTrue;
        int classes = yPred.Shape[-1];
        int rows = yPred.Size / classes;
        var result = Tensor.Allocate(labels.Shape);
        var l = labels.AsSpan();
        var p = yPred.AsSpan();
        var r = result.Span;
        for (int i = 0; i < rows; i++)
        {
            int target = (int)l[i];
            var row = p.Slice(i * classes, classes);
            if ((uint)target >= (uint)classes || float.IsNaN(row[target]))
            {
                r[i] = 0f;
                continue;
            }

            int higher = 0;
            foreach (float v in row)
            {
                if (v > row[target])
                {
                    higher++;
                }
            }

            r[i] = higher < k ? 1f : 0f;
        }

        return result;
    }
}

/// <summary>Exact-match accuracy (Keras <c>keras.metrics.Accuracy</c>). <c>metrics: ["accuracy"]</c> in Compile resolves to a shape-specific accuracy instead.</summary>
public sealed class Accuracy(string name = "accuracy") : MeanMetricWrapper(AccuracyFunctions.Accuracy, name, MetricDirection.Up)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static Accuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new Accuracy(name) : new Accuracy();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("Accuracy", FromConfig);
    }
}

/// <summary>How often <c>p &gt; threshold</c> matches the binary label (strict &gt;, as Keras).</summary>
public sealed class BinaryAccuracy : MeanMetricWrapper
{
    private const double DefaultThreshold = 0.5;

    /// <summary>Creates the metric.</summary>
    public BinaryAccuracy(double threshold = DefaultThreshold, string name = "binary_accuracy")
        : base(Make((float)threshold), name, MetricDirection.Up) => Threshold = threshold;

    /// <summary>The decision threshold.</summary>
    public double Threshold { get; }

    private static MetricFunction Make(float threshold) => (t, p) => AccuracyFunctions.BinaryAccuracy(t, p, threshold);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["threshold"] = Threshold;
        return config;
    }
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static BinaryAccuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new BinaryAccuracy(config.GetDouble("threshold", DefaultThreshold), name) : new BinaryAccuracy(config.GetDouble("threshold", DefaultThreshold));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("BinaryAccuracy", FromConfig);
        Table.AddNames(name => new BinaryAccuracy(name: name), "binary_accuracy");
    }
}

/// <summary>How often the argmax of the prediction matches the argmax of a one-hot label.</summary>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy")
    : MeanMetricWrapper(AccuracyFunctions.CategoricalAccuracy, name, MetricDirection.Up)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static CategoricalAccuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new CategoricalAccuracy(name) : new CategoricalAccuracy();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("CategoricalAccuracy", FromConfig);
        Table.AddNames(name => new CategoricalAccuracy(name: name), "categorical_accuracy");
    }
}

/// <summary>How often the argmax of the prediction equals an integer label.</summary>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy")
    : MeanMetricWrapper(AccuracyFunctions.SparseCategoricalAccuracy, name, MetricDirection.Up)
{
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static SparseCategoricalAccuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new SparseCategoricalAccuracy(name) : new SparseCategoricalAccuracy();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("SparseCategoricalAccuracy", FromConfig);
        Table.AddNames(name => new SparseCategoricalAccuracy(name: name), "sparse_categorical_accuracy");
    }
}

/// <summary>How often the one-hot label's class is in the top k predictions.</summary>
public sealed class TopKCategoricalAccuracy : MeanMetricWrapper
{
    private const int DefaultK = 5;

    /// <summary>Creates the metric.</summary>
    public TopKCategoricalAccuracy(int k = DefaultK, string name = "top_k_categorical_accuracy")
        : base(Make(k), name, MetricDirection.Up) => K = k;

    /// <summary>How many top classes count.</summary>
    public int K { get; }

    private static MetricFunction Make(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return (t, p) => AccuracyFunctions.TopKCategoricalAccuracy(t, p, k);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["k"] = K;
        return config;
    }
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static TopKCategoricalAccuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new TopKCategoricalAccuracy(config.GetInt32("k", DefaultK), name) : new TopKCategoricalAccuracy(config.GetInt32("k", DefaultK));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("TopKCategoricalAccuracy", FromConfig);
        Table.AddNames(name => new TopKCategoricalAccuracy(name: name), "top_k_categorical_accuracy");
    }
}

/// <summary>How often the integer label is in the top k predictions.</summary>
public sealed class SparseTopKCategoricalAccuracy : MeanMetricWrapper
{
    private const int DefaultK = 5;

    /// <summary>Creates the metric.</summary>
    public SparseTopKCategoricalAccuracy(int k = DefaultK, string name = "sparse_top_k_categorical_accuracy")
        : base(Make(k), name, MetricDirection.Up) => K = k;

    /// <summary>How many top classes count.</summary>
    public int K { get; }

    private static MetricFunction Make(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return (t, p) => AccuracyFunctions.SparseTopKCategoricalAccuracy(t, p, k);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["k"] = K;
        return config;
    }
    /// <summary>Rebuilds the metric from its saved config (Keras <c>from_config</c>).</summary>
    public static SparseTopKCategoricalAccuracy FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Name is { } name ? new SparseTopKCategoricalAccuracy(config.GetInt32("k", DefaultK), name) : new SparseTopKCategoricalAccuracy(config.GetInt32("k", DefaultK));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register()
    {
        Table.AddClass("SparseTopKCategoricalAccuracy", FromConfig);
        Table.AddNames(name => new SparseTopKCategoricalAccuracy(name: name), "sparse_top_k_categorical_accuracy");
    }
}

/// <summary>
/// <c>metrics: ["accuracy"]</c> (or <c>"acc"</c>): binary, sparse or categorical accuracy, chosen from the
/// shapes at the first update exactly as Keras's compile does; it keeps the name it was given.
/// </summary>
internal sealed class ShapeResolvedAccuracy(string name) : Mean(name)
{
    private MetricFunction? _fn;

    public override MetricDirection Direction => MetricDirection.Up;

    internal MetricFunction? Resolved => _fn;

    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        using var pause = GradientTape.Pause();
        _fn ??= yPred.Shape[-1] == 1
            ? (t, p) => AccuracyFunctions.BinaryAccuracy(t, p)
            : yTrue.Rank < yPred.Rank || (yTrue.Shape[-1] == 1 && yPred.Shape[-1] > 1)
                ? AccuracyFunctions.SparseCategoricalAccuracy
                : AccuracyFunctions.CategoricalAccuracy;
        UpdateValues(_fn(yTrue, yPred), sampleWeight);
    }

    // Keras's metrics=["accuracy"] / ["acc"], in any case (compile checks str(identifier).lower(), so "Accuracy" is this
    // and not the exact-match Accuracy class): the name is kept as typed.
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddNamesAnyCase(name => new ShapeResolvedAccuracy(name), "accuracy", "acc");
}
