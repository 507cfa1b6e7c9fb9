using System.Runtime.CompilerServices;
using KerasNotes.Metrics;

namespace KerasNotes.Models;

/// <summary>
/// The metrics of one output in <c>Compile</c>'s <c>metrics</c>: one metric — a Keras name, a <see cref="Metric"/> or a
/// <see cref="MetricFunction"/> — or a list of them (<c>["accuracy", "mse"]</c>).
/// </summary>
[CollectionBuilder(typeof(OutputMetrics), nameof(Create))]
public readonly struct OutputMetrics
{
    private readonly object[]? _items;
    private readonly bool _list;

    private OutputMetrics(object[] items, bool list)
    {
        _items = items;
        _list = list;
    }

    /// <summary>How many metrics (0 for none).</summary>
    public int Count => _items?.Length ?? 0;

    /// <summary>True for none (a null entry: no metrics for that output).</summary>
    internal bool IsNone => _items is null;

    /// <summary>True when given as a list (even of one), false for a single metric or none.</summary>
    internal bool IsList => _list;

    /// <summary>The metric at <paramref name="index"/>, as given.</summary>
    internal object this[int index] => _items![index];

    /// <summary>A list of metrics (what a collection expression <c>["accuracy", "mse"]</c> builds).</summary>
    public static OutputMetrics Create(ReadOnlySpan<object> metrics) => new(metrics.ToArray(), true);

    /// <summary>The metrics as given.</summary>
    public IEnumerator<object> GetEnumerator() => ((IEnumerable<object>)(_items ?? [])).GetEnumerator();

    /// <summary>One metric by its Keras name (kept as the log name: <c>"acc"</c> logs as <c>acc</c>).</summary>
    public static implicit operator OutputMetrics(string name) => new([name ?? throw new ArgumentNullException(nameof(name))], false);

    /// <summary>One metric object.</summary>
    public static implicit operator OutputMetrics(Metric metric) => new([metric ?? throw new ArgumentNullException(nameof(metric))], false);

    /// <summary>One metric function (averaged over samples).</summary>
    public static implicit operator OutputMetrics(MetricFunction function) => new([function ?? throw new ArgumentNullException(nameof(function))], false);

    /// <summary>A list of metrics: names, <see cref="Metric"/>s or <see cref="MetricFunction"/>s.</summary>
    public static implicit operator OutputMetrics(object[] metrics) => new((object[])(metrics ?? throw new ArgumentNullException(nameof(metrics))).Clone(), true);

    /// <summary>Named alternative to the conversion from a name.</summary>
    public static OutputMetrics FromName(string name) => name;

    /// <summary>Named alternative to the conversion from a metric object.</summary>
    public static OutputMetrics FromMetric(Metric metric) => metric;

    /// <summary>Named alternative to the conversion from a metric function.</summary>
    public static OutputMetrics FromFunction(MetricFunction function) => function;

    /// <summary>Named alternative to the conversion from a list.</summary>
    public static OutputMetrics FromList(IEnumerable<object> metrics) => new([.. metrics ?? throw new ArgumentNullException(nameof(metrics))], true);

    /// <summary>An item of a plain list: a nested list is a list entry, anything else a single metric.</summary>
    internal static OutputMetrics FromItem(object? item) => item switch
    {
        null => default,
        OutputMetrics m => m,
        string s => s,
        System.Collections.IEnumerable list => new([.. list.Cast<object>()], true),
        _ => new([item], false),
    };
}
