using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// Binary crossentropy, averaged over the last axis (Keras <c>binary_crossentropy</c>, alias <c>bce</c>).
/// </summary>
/// <remarks>
/// <para>Probabilities are clipped to [1e-7, 1 − 1e-7] in float32 (so a wrong prediction of exactly 1
/// costs 15.942, of exactly 0 costs 16.118, as in Keras); logits use the stable
/// <c>max(z, 0) − z·y + log(1 + e^−|z|)</c>. Label smoothing maps y to <c>y·(1 − ls) + 0.5·ls</c>.</para>
/// <para>On a sigmoid output the gradient goes straight to the logits with the exact derivative of the
/// clipped formula (one fused op).</para>
/// </remarks>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">True if predictions are logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1].</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="name">The name.</param>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, string reduction = DefaultReduction, string name = "binary_crossentropy")
        : base(name, reduction)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "BinaryCrossentropy 'labelSmoothing' must be in [0, 1].");
        }

        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = AlignRanks(yTrue, yPred);
        if (LabelSmoothing > 0)
        {
            float ls = (float)LabelSmoothing;
            t = Ops.Add(Ops.Multiply(t, 1f - ls), 0.5f * ls);
        }

        if (FromLogits)
        {
            var v = Ops.Add(Ops.Subtract(Ops.Maximum(p, 0f), Ops.Multiply(p, t)), Ops.Log1p(Ops.Exp(Ops.Negative(Ops.Abs(p)))));
            return Ops.Mean(v, axis: -1);
        }

        var tape = GradientTape.Active;
        if (p.LogitsKind == LogitsKind.Sigmoid && p.Logits is not null && p.Rank >= 1 && (tape is null || !tape.IsTracked(t)))
        {
            return Ops.BinaryCrossentropyFromSigmoid(t, p);
        }

        var c = Ops.Clip(p, Ops.Epsilon, Ops.OneMinusEpsilon);
        var bce = Ops.Add(Ops.Multiply(t, Ops.Log(c)), Ops.Multiply(Ops.Subtract(1f, t), Ops.Log(Ops.Subtract(1f, c))));
        return Ops.Mean(Ops.Negative(bce), axis: -1);
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
    public static BinaryCrossentropy FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        RejectOtherAxis(config, nameof(BinaryCrossentropy));
        return config.Name is { } name ? new BinaryCrossentropy(config.GetBoolean("from_logits"), config.GetDouble("label_smoothing"), reduction, name) : new BinaryCrossentropy(config.GetBoolean("from_logits"), config.GetDouble("label_smoothing"), reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("BinaryCrossentropy", FromConfig, "binary_crossentropy", "bce", "BCE");
}
