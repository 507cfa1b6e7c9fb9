using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// Hinge loss <c>mean(max(1 − y·p, 0))</c> over the last axis; labels that are all 0/1 are first mapped to −1/+1
/// (Keras <c>hinge</c>).
/// </summary>
public sealed class Hinge(string reduction = Loss.DefaultReduction, string name = "hinge") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        t = HingeLabels.ToSigned(t);
        return Ops.Mean(Ops.Maximum(Ops.Subtract(1f, Ops.Multiply(t, p)), 0f), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Hinge FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new Hinge(reduction, name) : new Hinge(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Hinge", FromConfig, "hinge");
}

/// <summary>Squared hinge loss <c>mean(max(1 − y·p, 0)²)</c> over the last axis (Keras <c>squared_hinge</c>).</summary>
public sealed class SquaredHinge(string reduction = Loss.DefaultReduction, string name = "squared_hinge") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        t = HingeLabels.ToSigned(t);
        return Ops.Mean(Ops.Square(Ops.Maximum(Ops.Subtract(1f, Ops.Multiply(t, p)), 0f)), axis: -1);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static SquaredHinge FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new SquaredHinge(reduction, name) : new SquaredHinge(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("SquaredHinge", FromConfig, "squared_hinge");
}

/// <summary>
/// Categorical hinge <c>max(max((1 − y)·p) − Σ y·p + 1, 0)</c> per sample (Keras <c>categorical_hinge</c>).
/// </summary>
public sealed class CategoricalHinge(string reduction = Loss.DefaultReduction, string name = "categorical_hinge") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        var pos = Ops.Sum(Ops.Multiply(t, p), axis: -1);
        var neg = Ops.Max(Ops.Multiply(Ops.Subtract(1f, t), p), axis: -1);
        return Ops.Maximum(Ops.Add(Ops.Subtract(neg, pos), 1f), 0f);
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static CategoricalHinge FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        return config.Name is { } name ? new CategoricalHinge(reduction, name) : new CategoricalHinge(reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("CategoricalHinge", FromConfig, "categorical_hinge");
}

internal static class HingeLabels
{
    /// <summary>Maps labels to ±1 when every label is 0 or 1 (Keras's convert_binary_labels_to_hinge).</summary>
    public static Tensor ToSigned(Tensor t)
    {
        foreach (float v in t.AsSpan())
        {
            if (v != 0f && v != 1f)
            {
                return t;
            }
        }

        return Ops.Subtract(Ops.Multiply(t, 2f), 1f);
    }
}
