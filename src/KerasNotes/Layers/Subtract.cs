using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Subtracts its second input from its first: <c>inputs[0] − inputs[1]</c>; it takes exactly two inputs (Keras <c>keras.layers.Subtract</c>). Shapes broadcast as <see cref="Merge"/> describes.
/// </summary>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var y = new Subtract().Apply([a, b]);
/// </code></example>
public sealed class Subtract : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one (<c>subtract</c>, <c>subtract_1</c>, …).</param>
    public Subtract(string? name = null)
        : base(name)
    {
    }

    /// <summary>Keras's Subtract takes exactly two inputs.</summary>
    private protected override int? ExactInputCount => 2;

    /// <inheritdoc />
    protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Ops.Subtract(inputs[0], inputs[1]);
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>.</summary>
    public static Subtract FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Subtract(config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Subtract", FromConfig);
}
