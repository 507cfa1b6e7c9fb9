using KerasNotes.Serialization;

namespace KerasNotes.Regularizers;

/// <summary>
/// A penalty on a weight tensor that is added to the loss (Keras <c>keras.regularizers.Regularizer</c>).
/// </summary>
/// <remarks>
/// Subclass it for a custom penalty: <see cref="Call"/> returns a scalar written with <see cref="Ops"/>,
/// so its gradient comes for free. The penalty joins the total loss once per step, unweighted by
/// sample weights, and is reported in both <c>loss</c> and <c>val_loss</c> (as in Keras).
/// </remarks>
public abstract class Regularizer : IRegistered<Regularizer>
{
    /// <summary>Every regularizer class that can be found by name or rebuilt from a saved config; each adds itself.</summary>
    internal static Registry<Regularizer> Table { get; } = new("regularizer", "keras.regularizers", KerasNameComparer.Instance);

    /// <inheritdoc />
    static Registry<Regularizer> IRegistered<Regularizer>.Registry => Table;

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
        return Table.TryGet(identifier) ?? throw new ArgumentException(
            $"Unknown regularizer '{identifier}'; expected one of {string.Join(", ", Table.KnownNames)} or a Regularizer instance.",
            nameof(identifier));
    }

    /// <summary>Checks a factor is a non-negative finite number, as Keras does.</summary>
    protected double CheckFactor(double value, string name) => HyperparameterChecks.NonNegative(value, GetType().Name, name);
}

/// <summary>L1 penalty <c>l1 · Σ|w|</c>.</summary>
public sealed class L1 : Regularizer
{
    /// <summary>Creates the penalty with factor <paramref name="l1"/> (Keras default 0.01).</summary>
    public L1(double l1 = DefaultFactor) => Factor = CheckFactor(l1, nameof(l1));

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor weights) => Ops.Multiply(Ops.Sum(Ops.Abs(weights)), (float)Factor);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["l1"] = Factor };

    private const double DefaultFactor = 0.01;

    /// <summary>Rebuilds the regularizer from its saved config (Keras <c>from_config</c>).</summary>
    public static L1 FromConfig(ObjectConfig config) => new((config ?? throw new ArgumentNullException(nameof(config))).GetDouble("l1", DefaultFactor));

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("L1", FromConfig, "l1");
}

/// <summary>L2 penalty <c>l2 · Σw²</c> (no ½ factor, as Keras; its gradient is <c>2·l2·w</c>).</summary>
public sealed class L2 : Regularizer
{
    /// <summary>Creates the penalty with factor <paramref name="l2"/> (Keras default 0.01).</summary>
    public L2(double l2 = DefaultFactor) => Factor = CheckFactor(l2, nameof(l2));

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor weights) => Ops.Multiply(Ops.Sum(Ops.Square(weights)), (float)Factor);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["l2"] = Factor };

    private const double DefaultFactor = 0.01;

    /// <summary>Rebuilds the regularizer from its saved config (Keras <c>from_config</c>).</summary>
    public static L2 FromConfig(ObjectConfig config) => new((config ?? throw new ArgumentNullException(nameof(config))).GetDouble("l2", DefaultFactor));

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("L2", FromConfig, "l2");
}

/// <summary>Combined penalty <c>l1 · Σ|w| + l2 · Σw²</c> (Keras 3 defaults: both 0).</summary>
public sealed class L1L2 : Regularizer
{
    /// <summary>Creates the combined penalty.</summary>
    public L1L2(double l1 = DefaultFactor, double l2 = DefaultFactor)
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

    private const double DefaultFactor = 0.0;

    /// <summary>Rebuilds the regularizer from its saved config (Keras <c>from_config</c>).</summary>
    public static L1L2 FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new L1L2(config.GetDouble("l1", DefaultFactor), config.GetDouble("l2", DefaultFactor));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("L1L2", FromConfig, "l1_l2");
}
