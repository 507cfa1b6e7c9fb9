using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Serialization;

namespace KerasNotes.Models;

public partial class Model
{
    private readonly List<Metric> _metrics = [];
    private readonly List<bool> _metricWeighted = [];
    private Mean _lossTracker = new("loss");
    private IReadOnlyList<Variable> _trainableAtCompile = [];

    /// <summary>The arguments Compile was called with, as given (for saving the compile config).</summary>
    internal CompileArguments? CompileConfig { get; private set; }

    /// <summary>
    /// Configures the model for training (Keras <c>compile</c>).
    /// </summary>
    /// <param name="optimizer">An optimizer or its Keras name (default <c>"rmsprop"</c>, as Keras).</param>
    /// <param name="loss">A loss object, a <see cref="LossFunction"/>, or a Keras name; null trains on <c>AddLoss</c> terms alone.</param>
    /// <param name="metrics">
    /// Metrics evaluated without sample weights: Keras names (<c>"accuracy"</c> is resolved from the shapes),
    /// <see cref="Metric"/> objects or <see cref="MetricFunction"/>s.
    /// </param>
    /// <param name="weightedMetrics">Metrics that receive the sample (and class) weights; a name clash is resolved as <c>weighted_&lt;name&gt;</c>.</param>
    /// <exception cref="ArgumentException">An unknown optimizer, loss or metric name, or an unsupported metric object.</exception>
    /// <remarks>
    /// Compile records which weights are trainable (toggling <c>Trainable</c> later takes effect at the next
    /// Compile), resets <see cref="StopTraining"/>, and does not build the optimizer's slots (the first step does).
    /// </remarks>
    public void Compile(OptimizerSpec? optimizer = null, LossSpec? loss = null, IEnumerable<object>? metrics = null, IEnumerable<object>? weightedMetrics = null)
    {
        using var change = UseGuard.Enter(this, nameof(Compile), change: true);

        // Resolve everything first: a bad name must leave the model as it was.
        var resolvedOptimizer = (optimizer ?? "rmsprop").Resolve();
        var resolvedLoss = loss?.Resolve();
        var plain = ResolveMetrics(metrics, nameof(metrics));
        var weighted = ResolveMetrics(weightedMetrics, nameof(weightedMetrics));
        var names = new HashSet<string>(StringComparer.Ordinal) { "loss" };
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in plain)
        {
            m.Name = Unique(m.Name, names, nextSuffix);
        }

        foreach (var m in weighted)
        {
            m.Name = Unique(names.Contains(m.Name) ? "weighted_" + m.Name : m.Name, names, nextSuffix);
        }

        Optimizer = resolvedOptimizer;
        CompiledLoss = resolvedLoss;
        _metrics.Clear();
        _metricWeighted.Clear();
        foreach (var m in plain)
        {
            _metrics.Add(m);
            _metricWeighted.Add(false);
        }

        foreach (var m in weighted)
        {
            _metrics.Add(m);
            _metricWeighted.Add(true);
        }

        _lossTracker = new Mean("loss");
        StopTraining = false;
        IsCompiled = true;
        _trainableAtCompile = Built ? TrainableWeights : [];
        CompileConfig = new CompileArguments(optimizer, loss, metrics?.ToArray(), weightedMetrics?.ToArray());
    }

    // name, name_1, name_2, …: the next suffix per base name is remembered, so n metrics of one name cost O(n), not
    // O(n²) (a file can list a metric a hundred thousand times).
    private static string Unique(string name, HashSet<string> used, Dictionary<string, int> nextSuffix)
    {
        string candidate = name;
        int i = nextSuffix.TryGetValue(name, out int next) ? next : 1;
        if (used.Contains(candidate))
        {
            do
            {
                candidate = $"{name}_{i++}";
            }
            while (used.Contains(candidate));
        }

        used.Add(candidate);
        nextSuffix[name] = i;
        return candidate;
    }

    private static List<Metric> ResolveMetrics(IEnumerable<object>? metrics, string argument)
    {
        var result = new List<Metric>();
        if (metrics is null)
        {
            return result;
        }

        foreach (var item in metrics)
        {
            result.Add(item switch
            {
                string s => Metric.Get(s),
                Metric m => m,
                MetricFunction f => new MeanMetricWrapper(f, Metric.Table.CustomNameOf(f) ?? FunctionNames.Of(f)),
                null => throw new ArgumentException($"'{argument}' contains null.", argument),
                _ => throw new ArgumentException(
                    $"'{argument}' contains a {item.GetType().Name}; expected a metric name, a Metric or a MetricFunction.", argument),
            });
        }

        return result;
    }

    /// <summary>The variables the compiled training step updates (captured at Compile, or at the build that follows it).</summary>
    internal IReadOnlyList<Variable> TrainableForStep
    {
        get
        {
            if (_trainableAtCompile.Count == 0 && Built)
            {
                _trainableAtCompile = TrainableWeights;
            }

            return _trainableAtCompile;
        }
    }

    /// <summary>The metric names in the order Keras reports them: <c>loss</c>, then each compiled metric.</summary>
    public IReadOnlyList<string> MetricsNames
    {
        get
        {
            var names = new List<string> { "loss" };
            foreach (var m in _metrics)
            {
                names.Add(m.Name);
            }

            return names;
        }
    }

    private void ResetMetrics()
    {
        _lossTracker.ResetState();
        foreach (var m in _metrics)
        {
            m.ResetState();
        }
    }

    private Dictionary<string, double> MetricResults()
    {
        var logs = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = _lossTracker.Result() };
        foreach (var m in _metrics)
        {
            logs[m.Name] = m.Result();
        }

        return logs;
    }

    private void EnsureCompiled(string method)
    {
        if (!IsCompiled)
        {
            throw new InvalidOperationException(
                $"Model '{Name}' must be compiled before {method}: call Compile(optimizer, loss, metrics) first.");
        }
    }
}

/// <summary>The arguments given to Compile, kept as given (Keras stores the compile config that way).</summary>
internal sealed record CompileArguments(OptimizerSpec? Optimizer, LossSpec? Loss, object[]? Metrics, object[]? WeightedMetrics);
