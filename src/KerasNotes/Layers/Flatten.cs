using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Flattens each sample to a vector: <c>(batch, d1, d2, …)</c> → <c>(batch, d1·d2·…)</c>; a rank-1 input
/// <c>(batch,)</c> becomes <c>(batch, 1)</c> (Keras <c>keras.layers.Flatten</c>). A view: nothing is copied.
/// </summary>
public sealed class Flatten : Layer
{
    private const string DefaultDataFormat = "channels_last";

    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat"><c>"channels_last"</c> (default) or <c>"channels_first"</c> (the channel axis is moved last first, so the order matches channels-last).</param>
    /// <param name="name">The layer name.</param>
    public Flatten(string dataFormat = DefaultDataFormat, string? name = null)
        : base(name)
    {
        if (dataFormat is not ("channels_last" or "channels_first"))
        {
            throw new ArgumentException($"Flatten 'dataFormat' is \"{dataFormat}\"; expected \"channels_last\" or \"channels_first\".", nameof(dataFormat));
        }

        DataFormat = dataFormat;
    }

    /// <summary>The data format.</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank <= 1)
        {
            return new Shape(inputShape.Rank == 0 ? -1 : inputShape[0], 1);
        }

        for (int i = 1; i < inputShape.Rank; i++)
        {
            if (inputShape[i] < 0)
            {
                return new Shape(inputShape[0], -1);
            }
        }

        // Checked in long: a product that wraps around int would give a wrong, small feature count.
        long size = inputShape.SaturatedProduct(1, inputShape.Rank);
        if (size > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Flatten '{Name}' cannot flatten inputs of shape {inputShape}: a sample would have more than {Array.MaxLength} features, more than a tensor can hold.",
                nameof(inputShape));
        }

        return new Shape(inputShape[0], (int)size);
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        if (inputShape.Rank == 0)
        {
            throw new ArgumentException($"Flatten '{Name}' needs inputs with a batch axis, got a scalar.", nameof(inputShape));
        }
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        if (inputs.Rank == 0)
        {
            throw new ArgumentException($"Flatten '{Name}' needs inputs with a batch axis, got a scalar.", nameof(inputs));
        }

        var x = inputs;
        if (DataFormat == "channels_first" && x.Rank > 2)
        {
            var perm = new int[x.Rank];
            perm[0] = 0;
            for (int i = 1; i < x.Rank - 1; i++)
            {
                perm[i] = i + 1;
            }

            perm[^1] = 1;
            x = Ops.Transpose(x, perm);
        }

        return Ops.Reshape(x, x.Shape[0], x.Rank == 1 ? 1 : -1);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["data_format"] = DataFormat;
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        long product = 1;
        for (int k = 1; k < inputShape.Length; k++)
        {
            product = inputShape[k] > 0 ? checked(product * inputShape[k]) : -1;
            if (product < 0)
            {
                break;
            }
        }

        return new LayerPlan(0, [inputShape.Length > 0 ? inputShape[0] : -1, product]);
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">The data format is unknown (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Flatten FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Flatten(config.GetString("data_format", DefaultDataFormat)!, config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Flatten", FromConfig);
}
