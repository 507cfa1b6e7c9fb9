using KerasNotes.Data;
using KerasNotes.Losses;
using KerasNotes.Metrics;

namespace KerasNotes.Models;

public partial class Model
{
    // The compiled metrics in Keras's order (every output's plain metrics, then the weighted ones), with the output each
    // watches, whether it gets sample weights, and its logs key.
    private readonly List<Metric> _metrics = [];
    private readonly List<bool> _metricWeighted = [];
    private readonly List<int> _metricOutput = [];
    private readonly List<string> _metricKeys = [];
    private int[] _metricLogOrder = [];
    private Mean _lossTracker = new("loss");
    private IReadOnlyList<Variable> _trainableAtCompile = [];

    // Per output: its loss (null for none) and weight (null when no weights were given), and — when more than one output
    // has a loss — the tracker of its unweighted loss, logged as <output>_loss.
    private Loss?[] _losses = [];
    private float[]? _lossWeights;
    private Mean?[]? _outputLossTrackers;
    private bool[] _outputHasMetrics = [];

    /// <summary>The arguments Compile was called with, as given (for saving the compile config).</summary>
    internal CompileArguments? CompileConfig { get; private set; }

    /// <summary>
    /// Configures the model for training (Keras <c>compile</c>).
    /// </summary>
    /// <param name="optimizer">An optimizer or its Keras name (default <c>"rmsprop"</c>, as Keras).</param>
    /// <param name="loss">
    /// A loss object, a <see cref="LossFunction"/>, or a Keras name, applied to every output; or, for a model with several
    /// outputs, one per output — a list in output order or a dictionary keyed by <see cref="OutputNames"/> (null entries for
    /// outputs without a loss); see <see cref="LossesSpec"/>. Null trains on <c>AddLoss</c> terms alone.
    /// </param>
    /// <param name="metrics">
    /// Metrics evaluated without sample weights: Keras names (<c>"accuracy"</c> is resolved from the shapes),
    /// <see cref="Metric"/> objects or <see cref="MetricFunction"/>s. For several outputs, one entry per output (a metric or
    /// a list) or a dictionary from output name to metric(s); see <see cref="MetricsSpec"/>.
    /// </param>
    /// <param name="weightedMetrics">Metrics that receive the sample (and class) weights; a name clash is resolved as <c>weighted_&lt;name&gt;</c>.</param>
    /// <param name="lossWeights">
    /// Factors for the outputs' losses (Keras <c>loss_weights</c>): one number, a list in output order, or a dictionary by
    /// output name. The total loss is Σ weightᵢ·lossᵢ plus every added and regularization loss, unweighted.
    /// </param>
    /// <exception cref="ArgumentException">An unknown optimizer, loss or metric name, an unsupported metric object, or losses,
    /// weights or metrics that do not match the model's outputs (the message names the outputs); the model is unchanged.</exception>
    /// <remarks>
    /// Compile records which weights are trainable (toggling <c>Trainable</c> later takes effect at the next
    /// Compile), resets <see cref="StopTraining"/>, and does not build the optimizer's slots (the first step does).
    /// With several outputs, logs carry each output's unweighted loss as <c>&lt;output&gt;_loss</c> (when more than one
    /// output has a loss) and its metrics as <c>&lt;output&gt;_&lt;metric&gt;</c>, as Keras 3 logs them.
    /// </remarks>
    /// <example><code>
    /// model.Compile("adam",
    ///     loss: ["sparse_categorical_crossentropy", "binary_crossentropy"],
    ///     lossWeights: [1.0, 0.5],
    ///     metrics: [["accuracy"], ["accuracy"]]);
    /// </code></example>
    public void Compile(
        OptimizerSpec? optimizer = null,
        LossesSpec? loss = null,
        MetricsSpec? metrics = null,
        MetricsSpec? weightedMetrics = null,
        LossWeightsSpec? lossWeights = null)
    {
        using var change = UseGuard.Enter(this, nameof(Compile), change: true);

        // Resolve everything first: a bad name or a structure that does not fit the outputs must leave the model as it was.
        var resolvedOptimizer = (optimizer ?? "rmsprop").Resolve();
        var outputs = OutputNames;
        var losses = ResolveLosses(loss, outputs);
        var weights = ResolveLossWeights(lossWeights, loss, outputs);
        var (plain, plainAsGiven) = ResolveMetricSet(metrics, "metrics", outputs);
        var (weighted, weightedAsGiven) = ResolveMetricSet(weightedMetrics, "weighted_metrics", outputs);
        if (outputs.Count > 1)
        {
            RefuseSharedMetricObjects(plain.Concat(weighted));
        }

        int withLoss = losses.Count(l => l is not null);
        var lossKeys = new string?[outputs.Count];
        var names = new HashSet<string>(StringComparer.Ordinal) { "loss" };
        if (withLoss > 1)
        {
            for (int i = 0; i < outputs.Count; i++)
            {
                if (losses[i] is not null)
                {
                    lossKeys[i] = outputs[i] + "_loss";
                    names.Add(lossKeys[i]!);
                }
            }
        }

        var keys = NameMetrics(plain, weighted, outputs, names);

        Optimizer = resolvedOptimizer;
        _losses = losses;
        _lossWeights = weights;
        CompiledLoss = losses.Length == 1 ? losses[0] : null;
        _outputLossTrackers = withLoss > 1 ? Array.ConvertAll(lossKeys, k => k is null ? null : new Mean(k)) : null;
        _metrics.Clear();
        _metricWeighted.Clear();
        _metricOutput.Clear();
        _metricKeys.Clear();
        _outputHasMetrics = new bool[outputs.Count];
        foreach (var (m, output) in plain)
        {
            _metrics.Add(m);
            _metricWeighted.Add(false);
            _metricOutput.Add(output);
            _outputHasMetrics[output] = true;
        }

        foreach (var (m, output) in weighted)
        {
            _metrics.Add(m);
            _metricWeighted.Add(true);
            _metricOutput.Add(output);
            _outputHasMetrics[output] = true;
        }

        _metricKeys.AddRange(keys);
        _metricLogOrder = [.. Enumerable.Range(0, keys.Count)];
        if (outputs.Count > 1)
        {
            // Keras's evaluate() list: loss, the per-output losses, then what is left in sorted order (the prefixed metrics).
            Array.Sort(_metricLogOrder, (a, b) => string.CompareOrdinal(keys[a], keys[b]));
        }

        _lossTracker = new Mean("loss");
        StopTraining = false;
        IsCompiled = true;
        _trainableAtCompile = Built ? TrainableWeights : [];
        CompileConfig = new CompileArguments(optimizer, loss, lossWeights, metrics, weightedMetrics, losses, plainAsGiven, weightedAsGiven);
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

    /// <summary>
    /// The names of what <c>Evaluate</c> reports, in its order: <c>loss</c>, then each compiled metric; with several
    /// outputs, <c>loss</c>, each output's <c>&lt;output&gt;_loss</c> (when more than one output has a loss), then the
    /// metrics' <c>&lt;output&gt;_&lt;metric&gt;</c> keys in sorted order (Keras's <c>evaluate</c> list order).
    /// </summary>
    public IReadOnlyList<string> MetricsNames
    {
        get
        {
            var names = new List<string> { "loss" };
            if (_outputLossTrackers is not null)
            {
                foreach (var tracker in _outputLossTrackers)
                {
                    if (tracker is not null && !names.Contains(tracker.Name))
                    {
                        names.Add(tracker.Name);
                    }
                }
            }

            foreach (int j in _metricLogOrder)
            {
                names.Add(_metricKeys[j]);
            }

            return names;
        }
    }

    /// <summary>The compiled loss of each output, in output order (null for an output without a loss).</summary>
    public IReadOnlyList<Loss?> CompiledLosses => _losses;

    /// <summary>True when <paramref name="key"/> (without <c>val_</c>) is a loss in the logs: <c>loss</c> or an output's <c>&lt;output&gt;_loss</c>.</summary>
    internal bool IsLossLogKey(string key) =>
        key == "loss" || (_outputLossTrackers is { } trackers && Array.Exists(trackers, t => t is not null && t.Name == key));

    /// <summary>The compiled metric logged under <paramref name="key"/> (without <c>val_</c>), or null.</summary>
    internal Metric? MetricOfLogKey(string key)
    {
        int j = _metricKeys.IndexOf(key);
        return j < 0 ? null : _metrics[j];
    }

    /// <summary>What the model takes as data: its inputs, its outputs, and which outputs take targets once compiled.</summary>
    internal DataLayout Layout()
    {
        bool[]? takes = null;
        if (IsCompiled && _losses.Length == OutputCount)
        {
            takes = new bool[_losses.Length];
            for (int i = 0; i < takes.Length; i++)
            {
                takes[i] = _losses[i] is not null || _outputHasMetrics[i];
            }
        }

        return new DataLayout(Name, InputNames, OutputNames, takes);
    }

    private void ResetMetrics()
    {
        _lossTracker.ResetState();
        if (_outputLossTrackers is not null)
        {
            foreach (var tracker in _outputLossTrackers)
            {
                tracker?.ResetState();
            }
        }

        foreach (var m in _metrics)
        {
            m.ResetState();
        }
    }

    private Dictionary<string, double> MetricResults()
    {
        var logs = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = _lossTracker.Result() };
        if (_outputLossTrackers is not null)
        {
            foreach (var tracker in _outputLossTrackers)
            {
                if (tracker is not null)
                {
                    logs[tracker.Name] = tracker.Result();
                }
            }
        }

        foreach (int j in _metricLogOrder)
        {
            logs[_metricKeys[j]] = _metrics[j].Result();
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

/// <summary>
/// The arguments given to Compile, kept as given (Keras stores the compile config that way), with what each resolved to:
/// the loss of each output, and the metric of each item of <c>metrics</c> / <c>weightedMetrics</c> in the order given.
/// </summary>
internal sealed record CompileArguments(
    OptimizerSpec? Optimizer,
    LossesSpec? Loss,
    LossWeightsSpec? LossWeights,
    MetricsSpec? Metrics,
    MetricsSpec? WeightedMetrics,
    Loss?[] ResolvedLosses,
    Metric[][] ResolvedMetrics,
    Metric[][] ResolvedWeightedMetrics);
