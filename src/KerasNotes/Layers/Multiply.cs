using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Multiplies its inputs element-wise: <c>inputs[0] · inputs[1] · …</c>, left to right (Keras <c>keras.layers.Multiply</c>). Shapes broadcast as <see cref="Merge"/> describes.
/// </summary>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var y = new Multiply().Apply([a, b]);
/// </code></example>
public sealed class Multiply : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one (<c>multiply</c>, <c>multiply_1</c>, …).</param>
    public Multiply(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var output = inputs[0];
        for (int i = 1; i < inputs.Count; i++)
        {
            output = Ops.Multiply(output, inputs[i]);
        }

        return output;
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>.</summary>
    public static Multiply FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Multiply(config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Multiply", FromConfig);
}
