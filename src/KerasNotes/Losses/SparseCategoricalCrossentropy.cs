using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// Crossentropy against integer class labels (Keras <c>sparse_categorical_crossentropy</c>).
/// </summary>
/// <remarks>
/// <para>Labels have shape <c>(N,)</c> or <c>(N, 1)</c> and must be integers in <c>[0, classes)</c>.
/// Probabilities follow Keras's TF backend: clip to [1e-7, 1 − 1e-7] in float32, then
/// <c>log Σ clip(p) − log clip(p_label)</c>; logits use <c>−log_softmax(z)[label]</c>.</para>
/// <para>On a softmax output (the usual final layer) the loss and its gradient with respect to the
/// logits are one fused op.</para>
/// </remarks>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false, string reduction = Loss.DefaultReduction, string name = "sparse_categorical_crossentropy")
    : Loss(name, reduction)
{
    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var labels = yTrue;
        if (labels.Rank == yPred.Rank && labels.Rank > 0 && labels.Shape[-1] == 1)
        {
            labels = Ops.Squeeze(labels, -1);
        }

        if (yPred.Rank < 1 || labels.Rank != yPred.Rank - 1 || labels.Size * yPred.Shape[-1] != yPred.Size)
        {
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy needs integer labels shaped like the predictions {yPred.Shape} without the class axis, got {yTrue.Shape}.",
                nameof(yTrue));
        }

        int classes = yPred.Shape[-1];
        ValidateLabels(labels, classes);
        if (!FromLogits && yPred.LogitsKind == LogitsKind.Softmax && yPred.Logits is not null && yPred.Rank == 2)
        {
            return Ops.SparseCategoricalCrossentropyFromSoftmax(labels, yPred);
        }

        var oneHot = Ops.OneHot(labels, classes);
        if (FromLogits)
        {
            return Ops.Negative(Ops.Sum(Ops.Multiply(oneHot, Ops.LogSoftmax(yPred)), axis: -1));
        }

        var logP = Ops.Log(Ops.Clip(yPred, Ops.Epsilon, Ops.OneMinusEpsilon));
        return Ops.Subtract(Ops.LogSumExp(logP, axis: -1), Ops.Sum(Ops.Multiply(oneHot, logP), axis: -1));
    }

    /// <summary>Labels of shape <c>[N]</c> or <c>[N, 1]</c>, each an integer class index below the model's output width.</summary>
    protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        int classes = predictionShape[-1];
        bool shapeOk = (yTrue.Rank == predictionShape.Rank - 1) || (yTrue.Rank == predictionShape.Rank && yTrue.Shape[-1] == 1);
        if (!shapeOk)
        {
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy needs integer labels of shape [N] or [N, 1] for predictions of shape {predictionShape}; '{argumentName}' has shape {yTrue.Shape}.", argumentName);
        }

        var span = yTrue.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!(v >= 0 && v < classes) || v != MathF.Floor(v))
            {
                throw new ArgumentException(
                    $"'{argumentName}' holds label {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} at sample {i}; expected an integer class index in [0, {classes}) for a model with {classes} outputs.", argumentName);
            }
        }
    }

    private static void ValidateLabels(Tensor yTrue, int classes)
    {
        var span = yTrue.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!(v >= 0 && v < classes) || v != MathF.Floor(v))
            {
                throw new ArgumentException(
                    $"SparseCategoricalCrossentropy: label {v} at position {i} is not an integer class index in [0, {classes}).", nameof(yTrue));
            }
        }
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["from_logits"] = FromLogits;
        config["ignore_class"] = null;
        return config;
    }
    /// <summary>Rebuilds the loss from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static SparseCategoricalCrossentropy FromConfig(ObjectConfig config)
    {
        string reduction = ReductionIn(config);
        RejectOtherAxis(config, nameof(SparseCategoricalCrossentropy));
        if (config.GetJson("ignore_class") is { } ignored && ignored != "null")
        {
            throw config.Fail("ignore_class", $"loss SparseCategoricalCrossentropy '{config.Name}': ignore_class = {ignored} is not supported yet; expected null.");
        }

        return config.Name is { } name ? new SparseCategoricalCrossentropy(config.GetBoolean("from_logits"), reduction, name) : new SparseCategoricalCrossentropy(config.GetBoolean("from_logits"), reduction);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("SparseCategoricalCrossentropy", FromConfig, "sparse_categorical_crossentropy");
}
