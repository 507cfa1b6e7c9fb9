using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// The mean over height and width of each channel (Keras <c>keras.layers.GlobalAveragePooling2D</c>): <c>[batch, h, w, c]</c> → <c>[batch, c]</c>, or <c>[batch, 1, 1, c]</c> with <c>keepDims</c>.
/// </summary>
public sealed class GlobalAveragePooling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep the height and width axes with size 1.</param>
    /// <param name="name">The layer name.</param>
    public GlobalAveragePooling2D(bool keepDims = false, string? name = null)
        : base(name) => KeepDims = keepDims;

    /// <summary>Whether the height and width axes are kept with size 1.</summary>
    public bool KeepDims { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 4)
        {
            throw new ArgumentException(
                $"GlobalAveragePooling2D '{Name}' needs 4-D inputs [batch, height, width, channels], got {inputShape}.", nameof(inputShape));
        }

        return KeepDims ? new Shape(inputShape[0], 1, 1, inputShape[3]) : new Shape(inputShape[0], inputShape[3]);
    }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        _ = ComputeOutputShape(inputShape);
        base.Build(inputShape);
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => Ops.GlobalAveragePool2D(inputs, KeepDims);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["data_format"] = "channels_last";
        config["keepdims"] = KeepDims;
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape) => inputShape.Length != 4 ? null
        : new LayerPlan(0, KeepDims ? [inputShape[0], 1, 1, inputShape[3]] : [inputShape[0], inputShape[3]]);

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>); channels_last only.</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static GlobalAveragePooling2D FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string dataFormat = config.GetString("data_format", "channels_last")!;
        if (dataFormat != "channels_last")
        {
            throw config.Fail("data_format", $"GlobalAveragePooling2D '{config.Name}': data_format \"{dataFormat}\" is not supported; KerasNotes pools channels_last images.");
        }

        return new GlobalAveragePooling2D(config.GetBoolean("keepdims"), config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("GlobalAveragePooling2D", FromConfig);
}
