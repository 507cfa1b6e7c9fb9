namespace KerasNotes.Regularizers;

/// <summary>
/// A penalty on a weight tensor that is added to the loss (Keras <c>keras.regularizers.Regularizer</c>).
/// </summary>
/// <remarks>
/// Subclass it for a custom penalty: <see cref="Call"/> returns a scalar written with <see cref="Ops"/>,
/// so its gradient comes for free. The penalty joins the total loss once per step, unweighted by
/// sample weights, and is reported in both <c>loss</c> and <c>val_loss</c> (as in Keras).
/// </remarks>
public abstract class Regularizer
{
    /// <summary>The penalty for <paramref name="weights"/>, a scalar tensor.</summary>
    public abstract Tensor Call(Tensor weights);

    /// <summary>The configuration Keras writes for this regularizer (its constructor arguments).</summary>
    public abstract IReadOnlyDictionary<string, object?> GetConfig();

    /// <summary>
    /// Resolves a Keras identifier: <c>"l1"</c>, <c>"l2"</c> (factor 0.01) or <c>"l1_l2"</c> (factors 0, as Keras 3's alias of <see cref="L1L2"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a known regularizer.</exception>
    public static Regularizer Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return identifier.ToUpperInvariant() switch
        {
            "L1" => new L1(),
            "L2" => new L2(),
            "L1_L2" or "L1L2" => new L1L2(),
            _ => throw new ArgumentException(
                $"Unknown regularizer '{identifier}'; expected one of \"l1\", \"l2\", \"l1_l2\" or a Regularizer instance.",
                nameof(identifier)),
        };
    }

    /// <summary>Checks a factor is a non-negative finite number, as Keras does.</summary>
    protected double CheckFactor(double value, string name) => HyperparameterChecks.NonNegative(value, GetType().Name, name);
}

/// <summary>L1 penalty <c>l1 · Σ|w|</c>.</summary>
public sealed class L1 : Regularizer
{
    /// <summary>Creates the penalty with factor <paramref name="l1"/> (Keras default 0.01).</summary>
    public L1(double l1 = 0.01) => Factor = CheckFactor(l1, nameof(l1));

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor weights) => Ops.Multiply(Ops.Sum(Ops.Abs(weights)), (float)Factor);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["l1"] = Factor };
}

/// <summary>L2 penalty <c>l2 · Σw²</c> (no ½ factor, as Keras; its gradient is <c>2·l2·w</c>).</summary>
public sealed class L2 : Regularizer
{
    /// <summary>Creates the penalty with factor <paramref name="l2"/> (Keras default 0.01).</summary>
    public L2(double l2 = 0.01) => Factor = CheckFactor(l2, nameof(l2));

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor weights) => Ops.Multiply(Ops.Sum(Ops.Square(weights)), (float)Factor);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["l2"] = Factor };
}

/// <summary>Combined penalty <c>l1 · Σ|w| + l2 · Σw²</c> (Keras 3 defaults: both 0).</summary>
public sealed class L1L2 : Regularizer
{
    /// <summary>Creates the combined penalty.</summary>
    public L1L2(double l1 = 0.0, double l2 = 0.0)
    {
        L1Factor = CheckFactor(l1, nameof(l1));
        L2Factor = CheckFactor(l2, nameof(l2));
    }

    /// <summary>The L1 factor.</summary>
    public double L1Factor { get; }

    /// <summary>The L2 factor.</summary>
    public double L2Factor { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor weights)
    {
        var penalty = Ops.Multiply(Ops.Sum(Ops.Abs(weights)), (float)L1Factor);
        return Ops.Add(penalty, Ops.Multiply(Ops.Sum(Ops.Square(weights)), (float)L2Factor));
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["l1"] = L1Factor, ["l2"] = L2Factor };
}
