using KerasNotes.Serialization;

namespace KerasNotes.Initializers;

/// <summary>All zeros (Keras <c>zeros</c>; the default bias initializer).</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape) => destination.Clear();

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>();

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static Zeros FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Zeros();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Zeros", FromConfig, "zeros", "zero");
}

/// <summary>All ones (Keras <c>ones</c>).</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape) => destination.Fill(1f);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>();

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static Ones FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Ones();
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Ones", FromConfig, "ones", "one");
}

/// <summary>Every element set to <see cref="Value"/> (Keras <c>Constant(value=0.0)</c>).</summary>
public sealed class Constant : Initializer
{
    /// <summary>Creates the initializer.</summary>
    public Constant(double value = DefaultValue) => Value = value;

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape) => destination.Fill((float)Value);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?> { ["value"] = Value };

    private const double DefaultValue = 0.0;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static Constant FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Constant(config.GetDouble("value", DefaultValue));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Constant", FromConfig, "constant");
}

/// <summary>The identity matrix times <see cref="Gain"/> for rank-2 shapes (Keras <c>Identity(gain=1.0)</c>).</summary>
public sealed class Identity : Initializer
{
    /// <summary>Creates the initializer.</summary>
    public Identity(double gain = DefaultGain) => Gain = gain;

    /// <summary>The diagonal value.</summary>
    public double Gain { get; }

    /// <inheritdoc />
    public override void Fill(Span<float> destination, Shape shape)
    {
        if (shape.Rank != 2)
        {
            throw new ArgumentException($"Identity initializer needs a rank-2 shape; got {shape}.", nameof(shape));
        }

        destination.Clear();
        int rows = shape[0], cols = shape[1];
        for (int i = 0; i < Math.Min(rows, cols); i++)
        {
            destination[(i * cols) + i] = (float)Gain;
        }
    }

    /// <summary>
    /// The configuration: empty for the default gain of 1, as Keras 3.15 writes it (its Identity has no get_config of
    /// its own), else <c>{"gain": g}</c>, which Keras's <c>Identity(gain=g)</c> reads but would not write.
    /// </summary>
    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        Gain == DefaultGain ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["gain"] = Gain };

    private const double DefaultGain = 1.0;

    /// <summary>Rebuilds the initializer from its saved config (Keras <c>from_config</c>).</summary>
    public static Identity FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Identity(config.GetDouble("gain", DefaultGain));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.Add("Identity", FromConfig, "identity");
}
