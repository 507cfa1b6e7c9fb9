using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// A custom loss: returns the per-sample loss for a batch (typically reducing only the last axis).
/// Extra parameters come by closure; written with <see cref="Ops"/>, it trains with no hand-written gradient.
/// </summary>
/// <example><code>
/// LossFunction WeightedMse(float w) => (yTrue, yPred) => Ops.Mean(w * Ops.Square(yTrue - yPred), axis: -1);
/// model.Compile(new SGD(0.01), loss: WeightedMse(2f));
/// </code></example>
public delegate Tensor LossFunction(Tensor yTrue, Tensor yPred);

/// <summary>
/// The base of every loss (Keras <c>keras.losses.Loss</c>): <see cref="Call"/> gives per-sample values,
/// <see cref="Apply"/> weights and reduces them.
/// </summary>
/// <remarks>
/// Reductions (Keras names): <c>"sum_over_batch_size"</c> (default; also <c>"mean"</c>) divides the
/// weighted sum by the number of loss elements — not by the sum of the weights;
/// <c>"mean_with_sample_weight"</c> divides by the sum of the weights; <c>"sum"</c>; <c>"none"</c>
/// returns the weighted per-sample values.
/// </remarks>
public abstract class Loss : IRegistered<Loss>
{
    /// <summary>Keras's default reduction.</summary>
    private protected const string DefaultReduction = "sum_over_batch_size";

    private static readonly string[] s_reductions = ["sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none"];

    /// <summary>Creates a loss.</summary>
    /// <param name="name">The name used in logs and configs.</param>
    /// <param name="reduction">One of Keras's reductions.</param>
    /// <exception cref="ArgumentException">The reduction is unknown.</exception>
    protected Loss(string name, string reduction = DefaultReduction)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        reduction ??= "none";
        if (Array.IndexOf(s_reductions, reduction) < 0)
        {
            throw new ArgumentException(
                $"Unknown loss reduction '{reduction}'; expected one of {string.Join(", ", s_reductions)}.", nameof(reduction));
        }

        Name = name;
        Reduction = reduction;
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>The reduction.</summary>
    public string Reduction { get; }

    /// <summary>The per-sample (or per-element) loss values, before weighting and reduction (Keras <c>call</c>).</summary>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// The reduced loss (Keras <c>loss(y_true, y_pred, sample_weight)</c>): per-sample values, times the
    /// sample weights if given, reduced as <see cref="Reduction"/> says.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit together; the message shows them.</exception>
    public Tensor Apply(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var values = Call(yTrue, yPred);
        return Reduce(values, sampleWeight, Reduction);
    }

    /// <summary>Weights and reduces per-sample values (Keras <c>reduce_weighted_values</c>).</summary>
    internal static Tensor Reduce(Tensor values, Tensor? sampleWeight, string reduction)
    {
        if (sampleWeight is not null)
        {
            var (v, w) = AlignRanks(values, sampleWeight);
            values = Ops.Multiply(v, w);
        }

        if (reduction == "none" || values.Rank == 0)
        {
            return values;
        }

        var sum = Ops.Sum(values);
        switch (reduction)
        {
            case "sum":
                return sum;
            case "mean_with_sample_weight" when sampleWeight is not null:
                {
                    // The divisor is a tensor, so weights that are themselves trained get their full gradient.
                    var total = Ops.Sum(sampleWeight);
                    return total.Item() == 0f ? Ops.Multiply(sum, 0f) : Ops.Divide(sum, total);
                }

            default:
                // Divide by the element count; 0/0 gives 0 (Keras's divide_no_nan).
                int count = values.Size;
                return count == 0 ? Ops.Multiply(sum, 0f) : Ops.Divide(sum, count);
        }
    }

    /// <summary>
    /// Checks, before training or evaluation starts, that targets like <paramref name="yTrue"/> fit predictions of
    /// <paramref name="predictionShape"/> (batch axis possibly unknown), so a mismatch is reported up front and never
    /// halfway through an epoch after weights have changed. The default asks that the targets broadcast to the
    /// predictions after Keras's rank alignment; losses with stricter needs (class labels, one-hot targets)
    /// override it.
    /// </summary>
    /// <param name="yTrue">The targets the model will be given.</param>
    /// <param name="predictionShape">The model's output shape.</param>
    /// <param name="argumentName">The argument that holds the targets, for the message (e.g. <c>y</c>).</param>
    /// <exception cref="ArgumentException">The targets do not fit; the message names the argument and both shapes.</exception>
    protected internal virtual void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(yTrue);

        // Compare per-sample shapes after Keras's rank alignment.
        var ys = yTrue.Shape;
        var ps = predictionShape.Rank > 0 && ys.Rank > 0 ? predictionShape.With(0, ys[0]) : predictionShape;
        if (ys.Rank == ps.Rank + 1 && ys[-1] == 1)
        {
            ys = DropLastAxis(ys);
        }
        else if (ps.Rank == ys.Rank + 1 && ps[-1] == 1)
        {
            ps = DropLastAxis(ps);
        }

        if (!Shape.TryBroadcast(ys, ps, out var joint, out _) || joint != ps)
        {
            throw new ArgumentException(
                $"Loss '{Name}' cannot compare targets of shape {yTrue.Shape} ('{argumentName}') with predictions of shape {predictionShape}.", argumentName);
        }
    }

    private static Shape DropLastAxis(Shape s)
    {
        Span<int> d = stackalloc int[s.Rank - 1];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = s[i];
        }

        return new Shape(d);
    }

    /// <summary>
    /// Keras's <c>squeeze_or_expand_to_same_rank</c>: when one tensor has one more axis than the other and
    /// that last axis has size 1, a rank-1 partner gains a trailing axis, otherwise the extra axis is squeezed.
    /// So labels <c>(N,)</c> meet predictions <c>(N, 1)</c> as <c>(N, 1)</c>, never broadcasting to <c>(N, N)</c>.
    /// </summary>
    public static (Tensor A, Tensor B) AlignRanks(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int ra = a.Rank, rb = b.Rank;
        if (ra == rb + 1 && a.Shape[-1] == 1)
        {
            return rb == 1 ? (a, Ops.ExpandDims(b, -1)) : (Ops.Squeeze(a, -1), b);
        }

        if (rb == ra + 1 && b.Shape[-1] == 1)
        {
            return ra == 1 ? (Ops.ExpandDims(a, -1), b) : (a, Ops.Squeeze(b, -1));
        }

        return (a, b);
    }

    /// <summary>The configuration Keras writes: <c>name</c>, <c>reduction</c>, then the loss's own arguments.</summary>
    public virtual IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["name"] = Name,
        ["reduction"] = Reduction,
    };

    /// <summary>
    /// Every loss that can be found by name (<c>"mse"</c>, <c>"categorical_crossentropy"</c>…) or rebuilt from a saved
    /// config: each built-in adds itself from its own file; custom losses come in through <c>CustomObjects</c>.
    /// </summary>
    internal static Registry<Loss> Table { get; } = new(
        "loss", "keras.losses", customHint: "; register it with CustomObjects.RegisterLoss(\"{0}\", ...) or pass new CustomObjects().AddLoss(\"{0}\", ...) to Model.Load");

    /// <inheritdoc />
    static Registry<Loss> IRegistered<Loss>.Registry => Table;

    /// <summary>
    /// Refuses a crossentropy config reducing another axis than the last one: the losses compute over the last axis
    /// only, and a Keras file asking for another would load and train on another loss.
    /// </summary>
    private protected static void RejectOtherAxis(ObjectConfig config, string className)
    {
        ArgumentNullException.ThrowIfNull(config);
        int axis = config.GetInt32("axis", -1);
        if (axis != -1)
        {
            throw config.Fail("axis", $"loss {className} '{config.Name}': axis = {axis} is not supported; expected -1.");
        }
    }

    /// <summary>The reduction a saved config names; Keras 2's <c>"auto"</c> (or none) is the default.</summary>
    private protected static string ReductionIn(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string reduction = config.GetString("reduction", DefaultReduction)!;
        return reduction is "auto" or "" ? DefaultReduction : reduction;
    }

    /// <summary>
    /// Resolves a Keras loss identifier: a function name or alias (<c>"mse"</c>, <c>"categorical_crossentropy"</c>,
    /// <c>"bce"</c>…), a class name, <c>"crossentropy"</c> (picked from the shapes), or a name registered in
    /// <c>CustomObjects</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static Loss Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return Table.TryGet(identifier.Trim()) ?? throw new ArgumentException(
            $"Unknown loss '{identifier}'; expected one of {string.Join(", ", Table.KnownNames)}, a Loss, a LossFunction, or a name registered with CustomObjects.RegisterLoss.",
            nameof(identifier));
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}('{Name}')";
}
