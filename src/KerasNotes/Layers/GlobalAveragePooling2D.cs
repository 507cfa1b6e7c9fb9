using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The mean over height and width of each channel (Keras <c>keras.layers.GlobalAveragePooling2D</c>): <c>[batch, h, w, c]</c> → <c>[batch, c]</c>, or <c>[batch, 1, 1, c]</c> with <c>keepDims</c>.
/// </summary>
public sealed class GlobalAveragePooling2D : GlobalPooling2D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep the height and width axes with size 1.</param>
    /// <param name="name">The layer name.</param>
    public GlobalAveragePooling2D(bool keepDims = false, string? name = null)
        : base(keepDims, name)
    {
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => Ops.GlobalAveragePool2D(inputs, KeepDims);

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>); channels_last only.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static GlobalAveragePooling2D FromConfig(ObjectConfig config) => new(ReadKeepDims(config, nameof(GlobalAveragePooling2D)), config.Name);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("GlobalAveragePooling2D", FromConfig);
}
