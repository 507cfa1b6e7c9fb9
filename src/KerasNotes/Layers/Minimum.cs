using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The element-wise minimum of its inputs, folded left to right. Where two inputs tie the gradient goes to the earlier one (TensorFlow's rule: <c>minimum(x, y)</c> passes it to x where x ≤ y); NaN propagates (Keras <c>keras.layers.Minimum</c>). Shapes broadcast as <see cref="Merge"/> describes.
/// </summary>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var y = new Minimum().Apply([a, b]);
/// </code></example>
public sealed class Minimum : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one (<c>minimum</c>, <c>minimum_1</c>, …).</param>
    public Minimum(string? name = null)
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
            output = Ops.Minimum(output, inputs[i]);
        }

        return output;
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>.</summary>
    public static Minimum FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Minimum(config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Minimum", FromConfig);
}
