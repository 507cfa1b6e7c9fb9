using System.Runtime.CompilerServices;

namespace KerasNotes.Models;

/// <summary>
/// The <c>metrics</c> (and <c>weightedMetrics</c>) argument of <c>Compile</c>, as Keras takes it. For a model with one
/// output, a list of metrics (<c>["accuracy", "mae"]</c>). For several outputs, one entry per output in output order —
/// each a metric or a list of metrics (<c>[["mae"], ["accuracy", "mse"]]</c>, <c>["mae", "acc"]</c>) — or a
/// dictionary from output name to metric(s), where outputs left out get none. Logs name each metric
/// <c>&lt;output&gt;_&lt;metric&gt;</c> (<c>dense_1_accuracy</c>) when there are several outputs.
/// </summary>
/// <example><code>
/// model.Compile("adam", ["mse", "binary_crossentropy"], metrics: [["mae"], ["accuracy"]]);
/// model.Compile("adam", ["mse", "binary_crossentropy"], metrics: new Dictionary&lt;string, OutputMetrics&gt; { ["footwear"] = "accuracy" });
/// </code></example>
[CollectionBuilder(typeof(MetricsSpec), nameof(Create))]
public readonly struct MetricsSpec
{
    private readonly OutputMetrics[]? _entries;
    private readonly string[]? _names;

    private MetricsSpec(OutputMetrics[] entries, string[]? names)
    {
        _entries = entries;
        _names = names;
    }

    /// <summary>How many entries (metrics, or one per output) were given.</summary>
    public int Count => _entries?.Length ?? 0;

    /// <summary>True for <c>default(MetricsSpec)</c>: no metrics.</summary>
    internal bool IsDefault => _entries is null;

    /// <summary>The output names of a dictionary, in its order; null for a list.</summary>
    internal IReadOnlyList<string>? Names => _names;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    internal OutputMetrics this[int index] => _entries![index];

    /// <summary>
    /// A list (what a collection expression builds): metrics of the one output, or one entry per output (null for an
    /// output without metrics).
    /// </summary>
    public static MetricsSpec Create(ReadOnlySpan<OutputMetrics?> entries)
    {
        var copy = new OutputMetrics[entries.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = entries[i] ?? default;
        }

        return new(copy, null);
    }

    /// <summary>The entries as given (null for an output without metrics).</summary>
    public IEnumerator<OutputMetrics?> GetEnumerator() =>
        (_entries ?? []).Select(e => e.IsNone ? (OutputMetrics?)null : e).GetEnumerator();

    /// <summary>A list of metrics (names, <c>Metric</c>s, <c>MetricFunction</c>s; a nested array is one output's list); null for none.</summary>
    public static implicit operator MetricsSpec(object[]? metrics) => metrics is null ? default : new(Array.ConvertAll(metrics, OutputMetrics.FromItem), null);

    /// <summary>A list of metrics, as the array conversion; null for none.</summary>
    public static implicit operator MetricsSpec(List<object>? metrics) => metrics is null ? default : new([.. metrics.Select(OutputMetrics.FromItem)], null);

    /// <summary>One entry per output.</summary>
    public static implicit operator MetricsSpec(OutputMetrics[]? entries) => entries is null ? default : new((OutputMetrics[])entries.Clone(), null);

    /// <summary>Metrics by output name.</summary>
    public static implicit operator MetricsSpec(Dictionary<string, OutputMetrics>? metrics) => metrics is null ? default : FromNames(metrics);

    /// <summary>Metrics by output name (the dictionary is copied, in its order).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="metrics"/> is null.</exception>
    public static MetricsSpec FromNames(IReadOnlyDictionary<string, OutputMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var pairs = metrics.ToArray();
        return new(Array.ConvertAll(pairs, p => p.Value), Array.ConvertAll(pairs, p => p.Key));
    }

    /// <summary>Named alternative to the conversion from an array.</summary>
    public static MetricsSpec FromArray(object[] metrics) => metrics;

    /// <summary>Named alternative to the conversion from a list.</summary>
    public static MetricsSpec FromList(IEnumerable<object> metrics) =>
        new([.. (metrics ?? throw new ArgumentNullException(nameof(metrics))).Select(OutputMetrics.FromItem)], null);

    /// <summary>Named alternative to the conversion from per-output entries.</summary>
    public static MetricsSpec FromEntries(OutputMetrics[] entries) => entries;

    /// <summary>Named alternative to the conversion from a dictionary.</summary>
    public static MetricsSpec FromDictionary(Dictionary<string, OutputMetrics> metrics) => metrics;
}
