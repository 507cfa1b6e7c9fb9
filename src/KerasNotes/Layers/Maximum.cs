using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The element-wise maximum of its inputs, folded left to right. Where two inputs tie the gradient goes to the earlier one (TensorFlow's rule: <c>maximum(x, y)</c> passes it to x where x ≥ y); NaN propagates (Keras <c>keras.layers.Maximum</c>). Shapes broadcast as <see cref="Merge"/> describes.
/// </summary>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var y = new Maximum().Apply([a, b]);
/// </code></example>
public sealed class Maximum : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one (<c>maximum</c>, <c>maximum_1</c>, …).</param>
    public Maximum(string? name = null)
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
            output = Ops.Maximum(output, inputs[i]);
        }

        return output;
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>.</summary>
    public static Maximum FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Maximum(config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Maximum", FromConfig);
}
