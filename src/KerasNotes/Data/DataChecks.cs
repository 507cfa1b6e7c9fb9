using System.Globalization;

namespace KerasNotes.Data;

/// <summary>
/// The checks every batch source runs on data before a model sees it, each naming the argument, the value and
/// what was expected, so bad data is refused before any weight changes.
/// </summary>
internal static class DataChecks
{
    /// <summary>Checks that sample counts agree and that the data holds no NaN or infinity.</summary>
    public static void CheckArrays(Tensor x, Tensor? y, Tensor? w, string xName, string yName, string wName)
    {
        if (x.Rank == 0)
        {
            throw new ArgumentException($"'{xName}' must have a batch axis; got a scalar.", xName);
        }

        int n = x.Shape[0];
        if (y is not null && (y.Rank == 0 || y.Shape[0] != n))
        {
            throw new ArgumentException(
                $"'{xName}' has {n} samples but '{yName}' has {(y.Rank == 0 ? "none (a scalar)" : y.Shape[0].ToString(CultureInfo.InvariantCulture))} (shapes {x.Shape} and {y.Shape}); they must match.",
                yName);
        }

        if (w is not null && (w.Rank == 0 || w.Shape[0] != n))
        {
            throw new ArgumentException($"'{wName}' has shape {w.Shape}; expected one weight per sample ({n}).", wName);
        }

        CheckFinite(x, xName);
        if (y is not null)
        {
            CheckFinite(y, yName);
        }

        if (w is not null)
        {
            CheckFinite(w, wName);
        }
    }

    /// <summary>
    /// The checks of <see cref="CheckArrays(Tensor, Tensor?, Tensor?, string, string, string)"/> for the arrays of a model
    /// with several inputs or outputs: every array has a batch axis, all have the same number of samples (otherwise
    /// Keras's "Data cardinality is ambiguous" message with every size), and none holds NaN or infinity.
    /// </summary>
    public static void CheckArrays(ModelArrays data)
    {
        if (data.IsSingle)
        {
            CheckArrays(data.X[0], data.Y?[0], data.W?[0], data.XNames[0], data.YNames[0], data.WNames[0]);
            return;
        }

        foreach (var (t, name) in Present(data))
        {
            if (t.Rank == 0)
            {
                throw new ArgumentException($"'{name}' must have a batch axis; got a scalar.", name);
            }
        }

        int n = data.X[0].Shape[0];
        string? first = null;
        foreach (var (t, name) in Present(data))
        {
            if (t.Shape[0] != n)
            {
                first = name;
                break;
            }
        }

        if (first is not null)
        {
            var message = new System.Text.StringBuilder("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.");
            Sizes(message, data.Arguments.X, data.X);
            if (data.Y is not null)
            {
                Sizes(message, data.Arguments.Y, data.Y);
            }

            if (data.W is not null)
            {
                Sizes(message, data.Arguments.W, data.W.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor?>());
            }

            throw new ArgumentException(message.ToString(), first);
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (t, name) in Present(data))
        {
            if (seen.Add(t))
            {
                CheckFinite(t, name);
            }
        }
    }

    private static void Sizes(System.Text.StringBuilder message, string argument, IEnumerable<Tensor?> arrays)
    {
        message.Append('\'').Append(argument).Append("' sizes: ")
            .AppendJoin(", ", arrays.Where(t => t is not null).Select(t => t!.Shape[0].ToString(CultureInfo.InvariantCulture)))
            .Append('\n');
    }

    /// <summary>Every array of <paramref name="data"/> with its argument name (broadcast weights once per output).</summary>
    private static IEnumerable<(Tensor Array, string Name)> Present(ModelArrays data)
    {
        for (int i = 0; i < data.X.Length; i++)
        {
            yield return (data.X[i], data.XNames[i]);
        }

        for (int i = 0; data.Y is not null && i < data.Y.Length; i++)
        {
            if (data.Y[i] is { } y)
            {
                yield return (y, data.YNames[i]);
            }
        }

        for (int i = 0; data.W is not null && i < data.W.Length; i++)
        {
            if (data.W[i] is { } w)
            {
                yield return (w, data.WNames[i]);
            }
        }
    }

    /// <summary>Refuses data with no samples: a loss or prediction over nothing would be reported as 0.</summary>
    public static void CheckNotEmpty(Tensor x, string name, string method)
    {
        if (x.Shape[0] == 0)
        {
            throw new ArgumentException($"'{name}' has no samples (shape {x.Shape}); {method} needs at least one.", name);
        }
    }

    /// <summary>Each class weight must be a finite number that float32 can hold, or every sample weight turns to NaN or infinity.</summary>
    public static void CheckClassWeight(IReadOnlyDictionary<int, double>? classWeight)
    {
        if (classWeight is null)
        {
            return;
        }

        foreach (var (label, weight) in classWeight)
        {
            if (!double.IsFinite(weight) || Math.Abs(weight) > float.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(classWeight),
                    weight,
                    $"classWeight[{label.ToString(CultureInfo.InvariantCulture)}] is {weight.ToString(CultureInfo.InvariantCulture)}; a class weight must be a finite number within float32's range (|w| <= {float.MaxValue.ToString(CultureInfo.InvariantCulture)}).");
            }
        }
    }

    /// <summary>One weight per sample from its class (the arg-max of one-hot targets, or the label itself); missing classes weigh 1.</summary>
    public static Tensor ClassWeightsToSampleWeights(Tensor y, IReadOnlyDictionary<int, double> classWeight)
    {
        var labels = y;
        if (labels.Rank > 1 && labels.Shape[-1] > 1)
        {
            labels = Ops.ArgMax(labels, -1);
        }
        else if (labels.Rank > 1)
        {
            labels = Ops.Squeeze(labels, -1);
        }

        int n = labels.Shape[0];
        var weights = new float[n];
        var span = labels.AsSpan();
        for (int i = 0; i < n; i++)
        {
            int label = (int)MathF.Round(span[i], MidpointRounding.ToEven);
            weights[i] = classWeight.TryGetValue(label, out double w) ? (float)w : 1f;
        }

        return Tensor.FromArray(weights, n);
    }

    private static void CheckFinite(Tensor t, string name)
    {
        var span = t.AsSpan();
        int bad = Ops.FirstNonFinite(span);
        if (bad >= 0)
        {
            int rowSize = t.Rank <= 1 ? 1 : t.Size / t.Shape[0];
            throw new ArgumentException(
                $"'{name}' contains {span[bad].ToString(CultureInfo.InvariantCulture)} at sample {bad / rowSize} (flat index {bad}); inputs must be finite.",
                name);
        }
    }
}
