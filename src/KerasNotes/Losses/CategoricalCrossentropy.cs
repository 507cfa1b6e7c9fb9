using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// Crossentropy against one-hot (or soft) targets, summed over the class axis (Keras <c>categorical_crossentropy</c>).
/// </summary>
/// <remarks>
/// <para>Probabilities are renormalised to sum 1, clipped to [1e-7, 1 − 1e-7] in float32, then
/// <c>−Σ y·log p</c>; logits use <c>−Σ y·log_softmax(z)</c>. Label smoothing maps y to
/// <c>y·(1 − ls) + ls/K</c>.</para>
/// <para>On a softmax output the gradient goes straight to the logits with the exact derivative of the
/// clipped formula (one fused op): <c>p·Σ_unclipped y − y</c>.</para>
/// </remarks>
public sealed class CategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">True if predictions are logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1].</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="name">The name.</param>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, string reduction = DefaultReduction, string name = "categorical_crossentropy")
        : base(name, reduction)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CategoricalCrossentropy 'labelSmoothing' must be in [0, 1].");
        }

        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <summary>One-hot (or soft) targets with the predictions' per-sample shape.</summary>
    protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        bool ok = yTrue.Rank == predictionShape.Rank;
        for (int i = 1; ok && i < yTrue.Rank; i++)
        {
            ok = yTrue.Shape[i] == predictionShape[i];
        }

        if (!ok)
        {
            throw new ArgumentException(MismatchMessage(predictionShape, yTrue.Shape, argumentName), argumentName);
        }
    }

    private static string MismatchMessage(Shape predictions, Shape targets, string argumentName) =>
        $"CategoricalCrossentropy needs one-hot targets shaped like the predictions {predictions}; '{argumentName}' has shape {targets}. For integer labels use SparseCategoricalCrossentropy.";

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        if (t.Shape != p.Shape)
        {
            throw new ArgumentException(MismatchMessage(p.Shape, t.Shape, "yTrue"), nameof(yTrue));
        }

        if (LabelSmoothing > 0)
        {
            float ls = (float)LabelSmoothing;
            int k = p.Shape[-1];
            t = Ops.Add(Ops.Multiply(t, 1f - ls), ls / k);
        }

        if (FromLogits)
        {
            return Ops.Negative(Ops.Sum(Ops.Multiply(t, Ops.LogSoftmax(p)), axis: -1));
        }

        var tape = GradientTape.Active;
        if (p.LogitsKind == LogitsKind.Softmax && p.Logits is not null && p.Rank == 2 && (tape is null || !tape.IsTracked(t)))
        {
            return Ops.CategoricalCrossentropyFromSoftmax(t, p);
        }

        var q = Ops.Divide(p, Ops.Sum(p, axis: -1, keepDims: true));
        q = Ops.Clip(q, Ops.Epsilon, Ops.OneMinusEpsilon);
        return Ops.Negative(Ops.Sum(Ops.Multiply(t, Ops.Log(q)), axis: -1));
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["label_smoothing"] = LabelSmoothing;
        config["axis"] = -1;
        return config;
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static CategoricalCrossentropy FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        RejectOtherAxis(config, nameof(CategoricalCrossentropy));
        return config.Name is { } name ? new CategoricalCrossentropy(config.GetBoolean("from_logits"), config.GetDouble("label_smoothing"), reduction, name) : new CategoricalCrossentropy(config.GetBoolean("from_logits"), config.GetDouble("label_smoothing"), reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("CategoricalCrossentropy", FromConfig, "categorical_crossentropy");
}
