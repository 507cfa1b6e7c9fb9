using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <content>The table of layer classes (built-in and registered), and what the loader asks a layer before building it.</content>
public abstract partial class Layer : IRegistered<Layer>
{
    /// <summary>
    /// Every layer class that can be rebuilt from a saved config. Each built-in adds itself from its own file; custom
    /// layers come in through <c>CustomObjects</c>.
    /// </summary>
    internal static Registry<Layer> Table { get; } = new("layer", "keras.layers");

    /// <inheritdoc />
    static Registry<Layer> IRegistered<Layer>.Registry => Table;

    /// <summary>
    /// What building this layer for inputs of <paramref name="inputShape"/> would create, worked out from the
    /// configuration alone (dimensions as longs, -1 unknown): the loader checks a file's claims with it before a
    /// single weight is allocated. Null when the layer cannot say (custom layers): the check stops following shapes.
    /// </summary>
    /// <exception cref="OverflowException">The sizes overflow a long.</exception>
    internal virtual LayerPlan? PlanFor(long[] inputShape) => null;
}

/// <summary>How many weights a layer would create, and the output shape it would produce (-1 for unknown sizes).</summary>
internal readonly record struct LayerPlan(long Weights, long[] OutputShape);
