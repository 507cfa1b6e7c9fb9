using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Declares the shape of a model's input (Keras <c>keras.Input</c> / <c>InputLayer</c>). It holds no
/// weights; in a <c>Sequential</c> it fixes the input shape so the model builds at once.
/// </summary>
/// <example><code>var model = new Sequential(new Input(784), new Dense(10));</code></example>
public sealed class Input : Layer
{
    /// <summary>Declares inputs of shape <c>(batch, ...shape)</c>.</summary>
    /// <param name="shape">The shape of one sample, without the batch axis.</param>
    /// <exception cref="ArgumentException">A dimension is not positive.</exception>
    public Input(params int[] shape)
        : this(shape, batchSize: null, name: null)
    {
    }

    /// <summary>Declares inputs of shape <c>(batchSize, ...shape)</c>.</summary>
    /// <param name="shape">The shape of one sample, without the batch axis.</param>
    /// <param name="batchSize">A fixed batch size, or null (Keras <c>None</c>).</param>
    /// <param name="name">The layer name (default <c>input_layer</c>, made unique).</param>
    public Input(int[] shape, int? batchSize, string? name = null)
        : base(name ?? UniqueName("input_layer"))
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
        {
            if (d <= 0 && d != -1)
            {
                throw new ArgumentException($"Input shape [{string.Join(", ", shape)}] has dimension {d}; expected positive sizes (or -1 for unknown).", nameof(shape));
            }
        }

        if (batchSize is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Input batchSize must be positive or null.");
        }

        var dims = new int[shape.Length + 1];
        dims[0] = batchSize ?? -1;
        shape.CopyTo(dims, 1);
        BatchShape = new Shape(dims);
    }

    /// <summary>The full input shape with the batch axis first (-1 when the batch size is free).</summary>
    public Shape BatchShape { get; }

    /// <summary>
    /// The symbolic tensor this input feeds into a functional graph (Keras <c>InputLayer.output</c>); the same
    /// tensor every time. <see cref="Keras.Input"/> returns it directly.
    /// </summary>
    public KerasTensor Output => AddInputNode(BatchShape);

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        if (!BatchShape.Accepts(inputShape))
        {
            throw new ArgumentException(
                $"Input '{Name}' expects inputs of shape {BatchShape}, got {inputShape}.", nameof(inputShape));
        }
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => inputs;

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["batch_shape"] = BatchShape,
        ["dtype"] = "float32",
        ["sparse"] = false,
        ["ragged"] = false,
        ["name"] = Name,
        ["optional"] = false,
    };

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape) => new(0, inputShape);

    /// <summary>
    /// Rebuilds the layer from its saved config (Keras <c>InputLayer.from_config</c>): <c>batch_shape</c> (or the
    /// older <c>batch_input_shape</c>, or <c>shape</c> without the batch axis); float32 only.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is missing or not valid (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Input FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int[] dims = config.GetShape(config.Contains("batch_shape") ? "batch_shape" : "batch_input_shape")
            ?? (config.GetShape("shape") is { } shape ? [-1, .. shape]
                : throw config.Fail("batch_shape", "an InputLayer needs 'batch_shape' (or 'batch_input_shape')."));
        if (dims.Length < 2)
        {
            throw config.Fail("batch_shape", $"an InputLayer shape needs a batch axis and at least one more, found [{string.Join(", ", dims)}].");
        }

        var dtype = config["dtype"];
        if (dtype.IsString && dtype.String() != "float32")
        {
            throw dtype.Fail($"only float32 inputs are supported, found '{dtype.String()}'.");
        }

        return new Input(dims[1..], dims[0] > 0 ? dims[0] : null, config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("InputLayer", FromConfig);
}
