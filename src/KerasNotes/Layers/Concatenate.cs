using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Joins its inputs along one axis (Keras <c>keras.layers.Concatenate</c>): the inputs must have the same rank and the
/// same size on every other axis (unknown sizes agree with anything; the batch axis is compared too); the output's size
/// on <see cref="Axis"/> is the sum of theirs (unknown if one is unknown). Nothing broadcasts.
/// </summary>
/// <example><code>
/// var image = Keras.Input(shape: [64]);
/// var hint = Keras.Input(shape: [3]);
/// var joined = new Concatenate().Apply([image, hint]);   // (None, 67)
/// </code></example>
public sealed class Concatenate : Merge
{
    private const int DefaultAxis = -1;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis to join along, counted from the end when negative (default -1, the last axis).</param>
    /// <param name="name">The layer name; null for an automatic unique one (<c>concatenate</c>, <c>concatenate_1</c>, …).</param>
    public Concatenate(int axis = DefaultAxis, string? name = null)
        : base(name)
    {
        Axis = axis;
    }

    /// <summary>The axis the inputs are joined along (negative counts from the end).</summary>
    public int Axis { get; }

    /// <summary>
    /// The joined shape (Keras <c>compute_output_shape</c>) after Keras's <c>build</c> checks: equal ranks, and equal
    /// known sizes on every axis but <see cref="Axis"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No shapes, an axis outside the rank, ranks that differ, or sizes that differ off
    /// the axis; the message names the layer and the shapes.</exception>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        CheckList(inputShapes);
        int rank = inputShapes[0].Rank;
        if (Axis >= rank || Axis < -rank)
        {
            throw new ArgumentException(
                $"{Who}: axis {Axis} is outside the inputs' rank {rank}. Received: input_shape={List(inputShapes)}", nameof(inputShapes));
        }

        int axis = Axis < 0 ? Axis + rank : Axis;
        Span<int> dims = stackalloc int[rank];
        inputShapes[0].CopyTo(dims);
        long joined = dims[axis];
        for (int i = 1; i < inputShapes.Count; i++)
        {
            var shape = inputShapes[i];
            bool ok = shape.Rank == rank;
            for (int d = 0; ok && d < rank; d++)
            {
                if (d == axis)
                {
                    continue;
                }

                if (shape[d] >= 0)
                {
                    ok = dims[d] < 0 || dims[d] == shape[d];
                    dims[d] = shape[d];
                }
            }

            if (!ok)
            {
                throw new ArgumentException(
                    $"{Who}: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis ({Axis}). " +
                    $"Received: input_shape={List(inputShapes)}",
                    nameof(inputShapes));
            }

            joined = joined < 0 || shape[axis] < 0 ? -1 : joined + shape[axis];
        }

        // Keras starts from the first shape and only fills in the joined axis; unknown sizes elsewhere stay as the first
        // input has them.
        Span<int> output = stackalloc int[rank];
        inputShapes[0].CopyTo(output);
        if (joined > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{Who}: joining inputs of shapes {List(inputShapes)} along axis {Axis} gives a size above {Array.MaxLength}.", nameof(inputShapes));
        }

        output[axis] = (int)joined;
        return new Shape(output);
    }

    /// <inheritdoc />
    protected override Tensor MergeFunction(IReadOnlyList<Tensor> inputs) => Ops.Concatenate(inputs, Axis);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>): <c>name</c>, <c>trainable</c>, <c>dtype</c>, <c>axis</c>.</summary>
    public static Concatenate FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Concatenate(config.GetInt32("axis", DefaultAxis), config.Name);
    }

    private protected override ArgumentException NotAList(Shape shape, string argument) => new(
        $"{Who}: A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape={shape.ToKerasString()}. " +
        "Call it with a list, e.g. Apply([a, b]).",
        argument);

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Concatenate", FromConfig);
}
