using System.Globalization;
using System.Text;
using KerasNotes.Data;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Serialization;

namespace KerasNotes.Models;

/// <content>
/// How Compile's arguments become per-output losses, loss weights and metrics (Keras <c>CompileLoss</c> and
/// <c>CompileMetrics</c> building): one loss for all outputs, a list or a dictionary by output name; metrics per output;
/// names as Keras logs them. Everything here only reads its arguments and refuses bad ones: Compile changes the model
/// after all of it has succeeded.
/// </content>
public partial class Model
{
    /// <summary>One loss per output (null for none): one loss for all, a list in output order, or a dictionary by name.</summary>
    private Loss?[] ResolveLosses(LossesSpec? loss, IReadOnlyList<string> outputs)
    {
        int n = outputs.Count;
        var losses = new Loss?[n];
        if (loss is not { } s || s.IsDefault)
        {
            return losses;
        }

        if (s.IsOne)
        {
            var one = s[0]!.Value;
            if (n == 1)
            {
                losses[0] = one.Resolve();
                return losses;
            }

            // Keras applies one loss to every output; a name gives each output its own object.
            for (int i = 0; i < n; i++)
            {
                losses[i] = one.Resolve();
            }

            return losses;
        }

        if (s.Names is { } keys)
        {
            RefuseDuplicateOutputNames(outputs, "loss");
            if (keys.Count != n || keys.Any(k => !outputs.Contains(k, StringComparer.Ordinal)))
            {
                throw new ArgumentException(
                    $"Expected keys {DataLayout.PyList(outputs)} in loss dict, but found loss.keys()={DataLayout.PyList(keys)} (model '{Name}'): " +
                    "a dictionary of losses names every output (null for an output without a loss).",
                    nameof(loss));
            }

            for (int i = 0; i < n; i++)
            {
                int at = IndexOf(keys, outputs[i]);
                losses[i] = s[at]?.Resolve();
            }

            return losses;
        }

        if (s.Count != n)
        {
            throw new ArgumentException(
                $"'loss' lists {s.Count} losses, but model '{Name}' has {n} output(s) ({string.Join(", ", outputs)}): give one loss for all outputs, " +
                "or one per output in output order (null for an output without a loss).",
                nameof(loss));
        }

        for (int i = 0; i < n; i++)
        {
            losses[i] = s[i]?.Resolve();
        }

        return losses;
    }

    /// <summary>One factor per output, or null when no weights are given (the losses are then summed as they are).</summary>
    private float[]? ResolveLossWeights(LossWeightsSpec? lossWeights, LossesSpec? loss, IReadOnlyList<string> outputs)
    {
        if (lossWeights is not { Count: > 0 } w)
        {
            return null;
        }

        for (int i = 0; i < w.Count; i++)
        {
            if (!double.IsFinite(w[i]) || Math.Abs(w[i]) > float.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(lossWeights), w[i], $"lossWeights[{i.ToString(CultureInfo.InvariantCulture)}] must be a finite number within float32's range.");
            }
        }

        if (loss is not { } l || l.IsDefault)
        {
            return null; // Keras ignores loss_weights without a loss.
        }

        int n = outputs.Count;
        var result = new float[n];
        int losses = l.IsOne ? 1 : l.Count;
        if (w.IsOne && (l.IsOne || n == 1))
        {
            Array.Fill(result, (float)w[0]);
            return result;
        }

        if (w.Names is { } keys)
        {
            if (l.IsOne && n > 1)
            {
                throw WeightCountMismatch(losses, w.Count, nameof(lossWeights));
            }

            RefuseDuplicateOutputNames(outputs, nameof(lossWeights));
            foreach (var key in keys)
            {
                if (!outputs.Contains(key, StringComparer.Ordinal))
                {
                    throw new ArgumentException(
                        $"'lossWeights' has the key \"{key}\", which is not an output of model '{Name}'; expected the keys {DataLayout.PyList(outputs)}.", nameof(lossWeights));
                }
            }

            for (int i = 0; i < n; i++)
            {
                int at = IndexOf(keys, outputs[i]);
                if (at < 0)
                {
                    throw new ArgumentException(
                        $"'lossWeights' has no weight for output '{outputs[i]}'; expected the keys {DataLayout.PyList(outputs)} (got {DataLayout.PyList(keys)}).", nameof(lossWeights));
                }

                result[i] = (float)w[at];
            }

            return result;
        }

        if (l.IsOne && w.Count == 1)
        {
            Array.Fill(result, (float)w[0]);
            return result;
        }

        if (l.IsOne || w.Count != n || w.IsOne)
        {
            throw WeightCountMismatch(losses, w.Count, nameof(lossWeights));
        }

        for (int i = 0; i < n; i++)
        {
            result[i] = (float)w[i];
        }

        return result;
    }

    private ArgumentException WeightCountMismatch(int losses, int weights, string parameter) => new(
        $"`loss_weights` must match the number of losses, got {losses} losses and {weights} weights (model '{Name}' has outputs {DataLayout.PyList(OutputNames)}). " +
        "One loss for all outputs takes one weight; a list or dictionary of losses takes one weight per output.",
        parameter);

    /// <summary>
    /// The metrics of one compile argument with the output each watches (Keras's order), and the resolved metric of each
    /// item as given (for saving the config in the shape it was given).
    /// </summary>
    private (List<(Metric Metric, int Output)> Compiled, Metric[][] AsGiven) ResolveMetricSet(MetricsSpec? spec, string argument, IReadOnlyList<string> outputs)
    {
        string parameter = argument == "metrics" ? "metrics" : "weightedMetrics";
        var compiled = new List<(Metric, int)>();
        if (spec is not { Count: > 0 } s)
        {
            return (compiled, []);
        }

        int n = outputs.Count;
        var asGiven = new Metric[s.Count][];
        for (int e = 0; e < s.Count; e++)
        {
            var entry = s[e];
            if (n == 1 && entry.IsNone)
            {
                throw new ArgumentException($"'{parameter}' contains null.", parameter);
            }

            asGiven[e] = new Metric[entry.Count];
            for (int k = 0; k < entry.Count; k++)
            {
                if (n > 1 && entry[k] is System.Collections.IEnumerable and not string)
                {
                    throw InvalidMetrics(s, argument, parameter, $"entry {e} holds a nested list");
                }

                asGiven[e][k] = ResolveMetric(entry[k], parameter);
            }
        }

        if (n == 1)
        {
            // One output: every metric applies to it, however nested (a dictionary is read in sorted key order, as Keras flattens it).
            var entries = Enumerable.Range(0, s.Count);
            if (s.Names is { } keys)
            {
                entries = entries.OrderBy(e => keys[e], StringComparer.Ordinal);
            }

            foreach (int e in entries)
            {
                foreach (var m in asGiven[e])
                {
                    compiled.Add((m, 0));
                }
            }

            return (compiled, asGiven);
        }

        var entryOf = new int[n];
        Array.Fill(entryOf, -1);
        if (s.Names is { } names)
        {
            RefuseDuplicateOutputNames(outputs, parameter);
            if (names.Count > n || names.Any(k => !outputs.Contains(k, StringComparer.Ordinal)))
            {
                throw InvalidMetrics(s, argument, parameter, "a dictionary's keys must be output names");
            }

            for (int i = 0; i < n; i++)
            {
                entryOf[i] = IndexOf(names, outputs[i]);
            }
        }
        else
        {
            if (s.Count != n)
            {
                throw InvalidMetrics(s, argument, parameter, $"a list needs one entry per output ({n}), got {s.Count}");
            }

            for (int i = 0; i < n; i++)
            {
                entryOf[i] = i;
            }
        }

        for (int i = 0; i < n; i++)
        {
            if (entryOf[i] >= 0)
            {
                foreach (var m in asGiven[entryOf[i]])
                {
                    compiled.Add((m, i));
                }
            }
        }

        return (compiled, asGiven);
    }

    private ArgumentException InvalidMetrics(MetricsSpec spec, string argument, string parameter, string why) => new(
        $"Model '{Name}' has {OutputNames.Count} outputs; {why}.\nInvalid `{argument}`. `{argument}` should contain metrics objects and either be a dict or a list " +
        $"matching the output names of the functional model {DataLayout.PyList(OutputNames)} or match the output structure of the model: " +
        $"{DataLayout.PyList(OutputNames.Select(_ => "X"))}.\nReceived: {argument}={Repr(spec)}",
        parameter);

    private static string Repr(MetricsSpec spec)
    {
        var sb = new StringBuilder();
        bool named = spec.Names is not null;
        sb.Append(named ? '{' : '[');
        for (int e = 0; e < spec.Count; e++)
        {
            if (e > 0)
            {
                sb.Append(", ");
            }

            if (named)
            {
                sb.Append('\'').Append(spec.Names![e]).Append("': ");
            }

            var entry = spec[e];
            if (entry.IsList)
            {
                sb.Append('[');
            }

            for (int k = 0; k < entry.Count; k++)
            {
                sb.Append(k > 0 ? ", " : string.Empty).Append(entry[k] switch
                {
                    string s => $"'{s}'",
                    Metric m => $"<{m.GetType().Name} name={m.Name}>",
                    System.Collections.IEnumerable => "[...]",
                    var o => $"<{o.GetType().Name}>",
                });
            }

            sb.Append(entry.IsList ? "]" : entry.Count == 0 ? "None" : string.Empty);
        }

        return sb.Append(named ? '}' : ']').ToString();
    }

    private static void RefuseSharedMetricObjects(IEnumerable<(Metric Metric, int Output)> metrics)
    {
        var seen = new HashSet<Metric>(ReferenceEqualityComparer.Instance);
        foreach (var (m, _) in metrics)
        {
            if (!seen.Add(m))
            {
                throw new ArgumentException(
                    $"The metric object {m} is given twice; with several outputs each metric accumulates one output's results, so pass a new object (or a name) each time.",
                    nameof(metrics));
            }
        }
    }

    private void RefuseDuplicateOutputNames(IReadOnlyList<string> outputs, string parameter)
    {
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Count)
        {
            throw new ArgumentException(
                $"Model '{Name}' has outputs that share a name ({string.Join(", ", outputs)}), so '{parameter}' cannot name them; give a list in output order.", parameter);
        }
    }

    /// <summary>
    /// The logs key of each metric: its name for one output (renamed <c>name_1</c>… on a clash, and <c>weighted_name</c> for a
    /// weighted metric whose name is taken, as before); <c>&lt;output&gt;_&lt;name&gt;</c> for several outputs (Keras 3).
    /// </summary>
    private static List<string> NameMetrics(
        List<(Metric Metric, int Output)> plain, List<(Metric Metric, int Output)> weighted, IReadOnlyList<string> outputs, HashSet<string> names)
    {
        var keys = new List<string>(plain.Count + weighted.Count);
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        if (outputs.Count == 1)
        {
            // One output: the metric objects themselves take the logs names (what CompiledMetrics shows).
            foreach (var (m, _) in plain)
            {
                m.Name = Unique(m.Name, names, nextSuffix);
                keys.Add(m.Name);
            }

            foreach (var (m, _) in weighted)
            {
                m.Name = Unique(names.Contains(m.Name) ? "weighted_" + m.Name : m.Name, names, nextSuffix);
                keys.Add(m.Name);
            }

            return keys;
        }

        foreach (var (m, output) in plain)
        {
            keys.Add(Unique($"{outputs[output]}_{m.Name}", names, nextSuffix));
        }

        foreach (var (m, output) in weighted)
        {
            string key = $"{outputs[output]}_{m.Name}";
            keys.Add(Unique(names.Contains(key) ? $"{outputs[output]}_weighted_{m.Name}" : key, names, nextSuffix));
        }

        return keys;
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

    private static Metric ResolveMetric(object? item, string argument) => item switch
    {
        string s => Metric.Get(s),
        Metric m => m,
        MetricFunction f => new MeanMetricWrapper(f, Metric.Table.CustomNameOf(f) ?? FunctionNames.Of(f)),
        null => throw new ArgumentException($"'{argument}' contains null.", argument),
        _ => throw new ArgumentException(
            $"'{argument}' contains a {item.GetType().Name}; expected a metric name, a Metric or a MetricFunction.", argument),
    };

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
