using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The mean of each window, per channel (Keras <c>keras.layers.AveragePooling2D</c>). With <c>"same"</c> padding a window is divided by the number of real cells it covers, as in TensorFlow.
/// </summary>
/// <example><code>new AveragePooling2D(poolSize: 2)</code></example>
public sealed class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer with a square window.</summary>
    /// <param name="poolSize">The window size.</param>
    /// <param name="strides">The step between windows; null means <paramref name="poolSize"/>.</param>
    /// <param name="padding"><c>"valid"</c> or <c>"same"</c>.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentException">A size or stride is not positive, or the padding is unknown.</exception>
    public AveragePooling2D(int poolSize = 2, int? strides = null, string padding = DefaultPadding, string? name = null)
        : base((poolSize, poolSize), strides is int s ? (s, s) : null, padding, name)
    {
    }

    /// <summary>Creates the layer with separate heights and widths.</summary>
    /// <exception cref="ArgumentException">A size or stride is not positive, or the padding is unknown.</exception>
    public AveragePooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides = null, string padding = DefaultPadding, string? name = null)
        : base(poolSize, strides, padding, name)
    {
    }

    /// <inheritdoc />
    private protected override bool IsMax => false;

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>); channels_last only.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static AveragePooling2D FromConfig(ObjectConfig config)
    {
        var (poolSize, strides, padding) = ReadConfig(config, nameof(AveragePooling2D));
        return new AveragePooling2D(poolSize, strides, padding, config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("AveragePooling2D", FromConfig);
}
