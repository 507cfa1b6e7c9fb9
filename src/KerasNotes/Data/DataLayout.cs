using System.Globalization;

namespace KerasNotes.Data;

/// <summary>
/// What a model takes as data: its input names, its output names and which outputs take targets (those with a loss
/// or metrics). Matches the groups a user passes (in order or by name) to the model's inputs and outputs, refusing
/// wrong counts and unknown or missing names before anything runs.
/// </summary>
/// <remarks>
/// Targets may be given for every output, or — as Keras allows — only for the outputs that take them, in order.
/// A single sample-weight array is used for every output (Keras: it must then hold one weight per sample).
/// </remarks>
internal sealed class DataLayout
{
    private readonly string _model;
    private readonly IReadOnlyList<string> _inputs;
    private readonly IReadOnlyList<string> _outputs;
    private readonly bool[] _takesTargets;
    private readonly int _targetCount;

    /// <param name="model">The model's name, for messages.</param>
    /// <param name="inputNames">One name per input, in order.</param>
    /// <param name="outputNames">One name per output, in order.</param>
    /// <param name="takesTargets">Per output: true when it has a loss or metrics; null when every output takes targets.</param>
    public DataLayout(string model, IReadOnlyList<string> inputNames, IReadOnlyList<string> outputNames, bool[]? takesTargets)
    {
        _model = model;
        _inputs = inputNames;
        _outputs = outputNames;
        _takesTargets = takesTargets ?? Enumerable.Repeat(true, outputNames.Count).ToArray();
        _targetCount = _takesTargets.Count(t => t);
        if (_targetCount == 0)
        {
            // Trained on added losses alone: targets are still taken (and checked), one per output.
            Array.Fill(_takesTargets, true);
            _targetCount = _takesTargets.Length;
        }
    }

    /// <summary>Matches the inputs, and the targets and weights when given, to the model.</summary>
    public ModelArrays Resolve(ArrayGroup x, ArrayGroup? y, ArrayGroup? w, string xArg = "x", string yArg = "y", string wArg = "sampleWeight")
    {
        var (xs, xNames) = ResolveInputs(x, xArg);
        Tensor?[]? ys = null;
        string[] yNames = new string[_outputs.Count];
        Tensor?[]? ws = null;
        string[] wNames = new string[_outputs.Count];
        if (y is { } targets)
        {
            (ys, yNames) = ResolveTargets(targets, yArg);
            if (w is { } weights)
            {
                (ws, wNames) = ResolveWeights(weights, ys, yNames, wArg);
            }
        }

        return new ModelArrays(xs, xNames, ys, yNames, ws, wNames, (xArg, yArg, wArg));
    }

    private (Tensor[] Arrays, string[] Names) ResolveInputs(ArrayGroup x, string argument)
    {
        int n = _inputs.Count;
        var arrays = new Tensor[n];
        var names = new string[n];
        if (x.Count == 0)
        {
            throw new ArgumentException(
                $"'{argument}' holds no arrays; model '{_model}' takes {Count(n, "input")} ({List(_inputs)}).", argument);
        }

        if (x.IsByName)
        {
            CheckKeys(x, _inputs, argument, "input");
            for (int i = 0; i < n; i++)
            {
                int at = IndexOf(x, _inputs[i]);
                if (at < 0)
                {
                    throw new ArgumentException(
                        $"Missing data for input \"{_inputs[i]}\". You passed a data dictionary with keys {PyList(x.Names)}. Expected the following keys: {PyList(_inputs)} (argument '{argument}' of model '{_model}').",
                        argument);
                }

                names[i] = x.Describe(argument, at);
                arrays[i] = x[at].Tensor ?? throw new ArgumentNullException(names[i]);
            }

            return (arrays, names);
        }

        if (x.Count != n)
        {
            throw new ArgumentException(
                $"Layer \"{_model}\" expects {n} named input(s) with keys {PyList(_inputs)}, but it received {x.Count} input tensors. " +
                $"Pass inputs as a dict, e.g. `layer({{{string.Join(", ", _inputs.Select(s => $"'{s}': ..."))}}})`. " +
                $"Here: give '{argument}' one array per input, in input order ([a, b]) or as a Dictionary<string, ArrayLike> keyed by input name.",
                argument);
        }

        for (int i = 0; i < n; i++)
        {
            names[i] = x.Describe(argument, i);
            arrays[i] = x[i].Tensor ?? throw new ArgumentNullException(names[i]);
        }

        return (arrays, names);
    }

    private (Tensor?[] Arrays, string[] Names) ResolveTargets(ArrayGroup y, string argument)
    {
        int n = _outputs.Count;
        var arrays = new Tensor?[n];
        var names = new string[n];
        for (int i = 0; i < n; i++)
        {
            names[i] = $"{argument}[{i}]";
        }

        if (y.Count == 0)
        {
            throw new ArgumentException($"'{argument}' holds no arrays; model '{_model}' has {Count(n, "output")} ({List(_outputs)}).", argument);
        }

        if (y.IsByName)
        {
            CheckUniqueOutputNames(argument);
            CheckKeys(y, _outputs, argument, "output");
            for (int i = 0; i < n; i++)
            {
                int at = IndexOf(y, _outputs[i]);
                if (at < 0)
                {
                    if (_takesTargets[i])
                    {
                        throw new ArgumentException(
                            $"'{argument}' has no targets for output '{_outputs[i]}', which has a loss or metrics; model '{_model}' expects the keys {PyList(TargetOutputs())} (got {PyList(y.Names)}).",
                            argument);
                    }

                    continue;
                }

                names[i] = y.Describe(argument, at);
                arrays[i] = Take(y, at, i, names[i]);
            }

            return (arrays, names);
        }

        int[] slots = SlotsFor(y.Count);
        if (slots.Length == 0)
        {
            throw new ArgumentException(
                $"'{argument}' holds {Count(y.Count, "array")}, but model '{_model}' has {Count(n, "output")} ({List(_outputs)})" +
                (_targetCount < n ? $", {_targetCount} of which take targets ({List(TargetOutputs())})" : string.Empty) +
                $": pass one target array per output{(_targetCount < n ? " (or per output that takes targets)" : string.Empty)}, in order, or a Dictionary<string, ArrayLike> keyed by output name.",
                argument);
        }

        for (int k = 0; k < slots.Length; k++)
        {
            int i = slots[k];
            names[i] = y.Describe(argument, k);
            arrays[i] = Take(y, k, i, names[i]);
        }

        return (arrays, names);
    }

    private (Tensor?[] Arrays, string[] Names) ResolveWeights(ArrayGroup w, Tensor?[] targets, string[] targetNames, string argument)
    {
        int n = _outputs.Count;
        var arrays = new Tensor?[n];
        var names = new string[n];
        for (int i = 0; i < n; i++)
        {
            names[i] = $"{argument}[{i}]";
        }

        if (w.Count == 0)
        {
            throw new ArgumentException($"'{argument}' holds no arrays; pass null for no sample weights.", argument);
        }

        int given = targets.Count(t => t is not null);
        if (w.IsByName)
        {
            CheckUniqueOutputNames(argument);
            CheckKeys(w, _outputs, argument, "output");
            for (int i = 0; i < n; i++)
            {
                int at = IndexOf(w, _outputs[i]);
                if (at >= 0 && targets[i] is null)
                {
                    throw new ArgumentException(
                        $"'{argument}' weighs output '{_outputs[i]}', which is given no targets.", argument);
                }

                if (at < 0 && targets[i] is not null)
                {
                    throw new ArgumentException(
                        $"You should provide one `sample_weight` array per output in `y`: '{argument}' has no weights for output '{_outputs[i]}' (keys {PyList(w.Names)}; the targets are for {PyList(TargetNames(targets))}).",
                        argument);
                }

                if (at >= 0)
                {
                    names[i] = w.Describe(argument, at);
                    arrays[i] = w[at].Tensor ?? throw new ArgumentNullException(names[i]);
                }
            }

            return (arrays, names);
        }

        if (w.Count == 1 && given >= 1 && (n > 1 || w.IsLone))
        {
            // One array for every output with targets (Keras copies it); with several, it must weigh samples, not elements.
            var single = w[0].Tensor ?? throw new ArgumentNullException(w.Describe(argument, 0));
            string name = w.Describe(argument, 0);
            if (given > 1 && !(single.Rank == 1 || (single.Rank == 2 && single.Shape[1] == 1)))
            {
                throw new ArgumentException(
                    $"For a model with multiple outputs, when providing a single `sample_weight` array, it should only have one scalar score per sample (i.e. shape `(num_samples,)`). " +
                    $"If you want to use non-scalar sample weights, pass a `sample_weight` argument with one array per model output. ('{name}' has shape {single.Shape}.)",
                    argument);
            }

            for (int i = 0; i < n; i++)
            {
                if (targets[i] is not null)
                {
                    arrays[i] = single;
                    names[i] = name;
                }
            }

            return (arrays, names);
        }

        int[] slots = w.Count == n ? [.. Enumerable.Range(0, n)] : w.Count == given ? [.. Enumerable.Range(0, n).Where(i => targets[i] is not null)] : [];
        if (slots.Length == 0)
        {
            throw new ArgumentException(
                $"You should provide one `sample_weight` array per output in `y`: '{argument}' holds {Count(w.Count, "array")}, but there are targets for {Count(given, "output")} ({List(TargetNames(targets))}) of model '{_model}'; " +
                "pass one array per output, one for all, or a Dictionary<string, ArrayLike> keyed by output name.",
                argument);
        }

        for (int k = 0; k < slots.Length; k++)
        {
            int i = slots[k];
            var t = w[k].Tensor;
            if (t is not null && targets[i] is null)
            {
                throw new ArgumentException($"'{w.Describe(argument, k)}' weighs output '{_outputs[i]}', which is given no targets.", argument);
            }

            names[i] = w.Describe(argument, k);
            arrays[i] = t;
        }

        return (arrays, names);
    }

    /// <summary>The outputs positional targets of <paramref name="count"/> arrays go to: every output, or those that take targets.</summary>
    private int[] SlotsFor(int count)
    {
        int n = _outputs.Count;
        if (count == n)
        {
            return [.. Enumerable.Range(0, n)];
        }

        return count == _targetCount ? [.. Enumerable.Range(0, n).Where(i => _takesTargets[i])] : [];
    }

    private Tensor? Take(ArrayGroup group, int at, int output, string name)
    {
        var t = group[at].Tensor;
        if (t is null && _takesTargets[output])
        {
            throw new ArgumentNullException(name, $"'{name}' is null, but output '{_outputs[output]}' has a loss or metrics and needs targets.");
        }

        return t;
    }

    private void CheckKeys(ArrayGroup group, IReadOnlyList<string> expected, string argument, string what)
    {
        foreach (var key in group.Names)
        {
            if (!expected.Contains(key, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"'{argument}' has the key \"{key}\", which is not an {what} of model '{_model}'; expected the keys {PyList(expected)}.", argument);
            }
        }
    }

    private void CheckUniqueOutputNames(string argument)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in _outputs)
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException(
                    $"Model '{_model}' has two outputs named '{name}' (one layer produces both), so '{argument}' cannot be given by name; pass the arrays in output order.", argument);
            }
        }
    }

    private static int IndexOf(ArrayGroup group, string name)
    {
        var names = group.Names;
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private List<string> TargetOutputs() => [.. _outputs.Where((_, i) => _takesTargets[i])];

    private List<string> TargetNames(Tensor?[] targets) => [.. _outputs.Where((_, i) => targets[i] is not null)];

    private static string Count(int n, string what) => $"{n.ToString(CultureInfo.InvariantCulture)} {what}{(n == 1 ? string.Empty : "s")}";

    private static string List(IEnumerable<string> names) => string.Join(", ", names);

    /// <summary>Keras prints name lists the Python way: <c>['a', 'b']</c>.</summary>
    internal static string PyList(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(s => $"'{s}'")) + "]";
}
