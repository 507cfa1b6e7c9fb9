using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The element-wise mean of its inputs: their sum (left to right) divided by their count (Keras <c>keras.layers.Average</c>). Shapes broadcast as <see cref="Merge"/> describes.
/// </summary>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var y = new Average().Apply([a, b]);
/// </code></example>
public sealed class Average : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one (<c>average</c>, <c>average_1</c>, …).</param>
    public Average(string? name = null)
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
            output = Ops.Add(output, inputs[i]);
        }

        return Ops.Divide(output, inputs.Count);
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>.</summary>
    public static Average FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Average(config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Average", FromConfig);
}
