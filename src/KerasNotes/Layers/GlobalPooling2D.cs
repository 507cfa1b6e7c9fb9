using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// What <see cref="GlobalAveragePooling2D"/> and <see cref="GlobalMaxPooling2D"/> share (Keras
/// <c>BaseGlobalPooling</c>): one value per channel over height and width; no weights.
/// </summary>
public abstract class GlobalPooling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep the height and width axes with size 1.</param>
    /// <param name="name">The layer name.</param>
    private protected GlobalPooling2D(bool keepDims, string? name)
        : base(name) => KeepDims = keepDims;

    /// <summary>Whether the height and width axes are kept with size 1.</summary>
    public bool KeepDims { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 4)
        {
            throw new ArgumentException(
                $"{GetType().Name} '{Name}' needs 4-D inputs [batch, height, width, channels], got {inputShape}.", nameof(inputShape));
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

    /// <summary>Reads <c>keepdims</c> from a saved config, refusing channels_first data.</summary>
    private protected static bool ReadKeepDims(ObjectConfig config, string className)
    {
        ArgumentNullException.ThrowIfNull(config);
        string dataFormat = config.GetString("data_format", "channels_last")!;
        if (dataFormat != "channels_last")
        {
            throw config.Fail("data_format", $"{className} '{config.Name}': data_format \"{dataFormat}\" is not supported; KerasNotes pools channels_last images.");
        }

        return config.GetBoolean("keepdims");
    }
}
