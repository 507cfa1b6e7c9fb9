namespace KerasNotes.Layers;

/// <summary>
/// The base of the element-wise merge layers (Keras <c>keras.layers.Merge</c>): <see cref="Add"/>, <see cref="Subtract"/>,
/// <see cref="Multiply"/>, <see cref="Average"/>, <see cref="Maximum"/>, <see cref="Minimum"/>; <see cref="Concatenate"/>
/// shares its list handling. A merge layer is called on a list of tensors (<c>layer.Apply([a, b])</c>) and has no weights.
/// </summary>
/// <remarks>
/// <para>Shapes follow Keras: the batch sizes must agree (unknown ones agree with anything); the other axes are aligned
/// from the right and broadcast where one side is 1; inputs of different ranks are allowed, and a lower-rank input gets
/// size-1 axes inserted after its batch axis until the ranks match (so <c>(None, 3)</c> with <c>(None, 4, 3)</c> gives
/// <c>(None, 4, 3)</c>, and <c>(None, 1)</c> with <c>(None, 5)</c> gives <c>(None, 5)</c>). A single input is allowed
/// and passes through.</para>
/// <para>A subclass implements <see cref="MergeFunction"/> with <see cref="Ops"/> on inputs that already have equal
/// ranks; gradients come from the ops.</para>
/// </remarks>
/// <example><code>
/// var a = Keras.Input(shape: [8]);
/// var b = Keras.Input(shape: [8]);
/// var sum = new Add().Apply([a, b]);   // (None, 8)
/// </code></example>
public abstract class Merge : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null for an automatic unique one.</param>
    protected Merge(string? name = null)
        : base(name)
    {
    }

    /// <summary>
    /// Merges inputs of equal rank (lower-rank inputs have been given size-1 axes after the batch axis already); the
    /// shapes have been checked. Keras <c>_merge_function</c>.
    /// </summary>
    /// <param name="inputs">At least one tensor, all of the same rank.</param>
    protected abstract Tensor MergeFunction(IReadOnlyList<Tensor> inputs);

    /// <summary>
    /// The exact number of inputs the layer takes, or null for any number from one (Keras's <c>Subtract</c> takes exactly 2).
    /// </summary>
    private protected virtual int? ExactInputCount => null;

    /// <summary>Refuses one tensor: a merge layer is called on a list (Keras: "A merge layer should be called on a list of inputs").</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    public sealed override void Build(Shape inputShape) => throw NotAList(inputShape, nameof(inputShape));

    /// <summary>Checks the input shapes (Keras <c>build</c> is used purely for shape validation); a merge layer has no weights.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be merged; the message names the layer and the shapes.</exception>
    public override void Build(IReadOnlyList<Shape> inputShapes) => _ = ComputeOutputShape(inputShapes);

    /// <inheritdoc />
    protected sealed override void ValidateInput(Shape inputShape) => throw NotAList(inputShape, nameof(inputShape));

    /// <inheritdoc />
    protected override void ValidateInputs(IReadOnlyList<Shape> inputShapes) => _ = ComputeOutputShape(inputShapes);

    /// <summary>Refuses one shape: a merge layer takes a list of shapes.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    public sealed override Shape ComputeOutputShape(Shape inputShape) => throw NotAList(inputShape, nameof(inputShape));

    /// <summary>
    /// The merged shape (Keras <c>compute_output_shape</c>): the batch size the inputs agree on (unknown if none is
    /// known), then the other axes broadcast from the right.
    /// </summary>
    /// <exception cref="ArgumentException">No shapes, the wrong number of them, a rank-0 shape, batch sizes that differ, or
    /// axes that do not broadcast; the message names the layer and the shapes.</exception>
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        CheckList(inputShapes);
        int batch = CommonBatch(inputShapes);
        var output = inputShapes[0].Skip(1);
        for (int i = 1; i < inputShapes.Count; i++)
        {
            output = Broadcast(output, inputShapes[i].Skip(1), inputShapes);
        }

        var result = output.Prepend(batch);
        long perSample = 1;
        for (int d = 1; d < result.Rank; d++)
        {
            perSample = result[d] < 0 ? perSample : Math.Min(perSample * result[d], (long)Array.MaxLength + 1);
        }

        if (perSample > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{Who}: merging inputs of shapes {List(inputShapes)} gives samples of shape {result.Skip(1).ToKerasString()}, more values than a tensor can hold.",
                nameof(inputShapes));
        }

        return result;
    }

    /// <summary>Refuses one tensor: a merge layer is called on a list.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    protected sealed override Tensor Call(Tensor inputs, bool training) =>
        throw NotAList((inputs ?? throw new ArgumentNullException(nameof(inputs))).Shape, nameof(inputs));

    /// <summary>
    /// Gives lower-rank inputs size-1 axes after the batch axis until every input has the highest rank (Keras
    /// <c>expand_dims(x, axis=1)</c>), then merges them with <see cref="MergeFunction"/>.
    /// </summary>
    protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int maxRank = 0;
        foreach (var x in inputs)
        {
            maxRank = Math.Max(maxRank, x.Rank);
        }

        Tensor[]? expanded = null;
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i];
            if (x.Rank == maxRank)
            {
                continue;
            }

            expanded ??= [.. inputs];
            var dims = new int[maxRank];
            dims.AsSpan().Fill(1);
            dims[0] = x.Shape[0];
            for (int d = 1; d < x.Rank; d++)
            {
                dims[maxRank - x.Rank + d] = x.Shape[d];
            }

            expanded[i] = Ops.Reshape(x, dims);
        }

        return MergeFunction(expanded ?? inputs);
    }

    /// <summary>The layer as error messages name it: <c>Add 'add_1'</c>.</summary>
    private protected string Who => $"{GetType().Name} '{Name}'";

    /// <summary>Checks what every merge layer needs of its list: at least one shape (the exact count if the layer has one), each with a batch axis.</summary>
    private protected void CheckList(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count < 1)
        {
            throw new ArgumentException(
                $"{Who}: A merge layer should be called on a list of at least 1 input. Received 0 inputs.", nameof(inputShapes));
        }

        if (ExactInputCount is int exact && inputShapes.Count != exact)
        {
            throw new ArgumentException(
                $"{Who}: A `{GetType().Name}` layer should be called on exactly {exact} inputs. Received: input_shape={List(inputShapes)}",
                nameof(inputShapes));
        }

        foreach (var shape in inputShapes)
        {
            if (shape.Rank == 0)
            {
                throw new ArgumentException(
                    $"{Who}: every input needs a batch axis; received a scalar among input_shape={List(inputShapes)}", nameof(inputShapes));
            }
        }
    }

    /// <summary>The batch size the inputs agree on, or -1 if none is known; throws if two known sizes differ.</summary>
    private protected int CommonBatch(IReadOnlyList<Shape> inputShapes)
    {
        int batch = -1;
        foreach (var shape in inputShapes)
        {
            if (shape[0] >= 0)
            {
                if (batch >= 0 && batch != shape[0])
                {
                    throw new ArgumentException(
                        $"{Who}: Cannot merge tensors with different batch sizes. Received tensors with shapes {List(inputShapes)}",
                        nameof(inputShapes));
                }

                batch = shape[0];
            }
        }

        return batch;
    }

    // Keras _compute_elemwise_op_output_shape on shapes without the batch axis: the longer shape's leading axes, then the
    // right-aligned pairs (unknown if either is, 1 broadcasts, otherwise they must be equal).
    private Shape Broadcast(Shape a, Shape b, IReadOnlyList<Shape> inputShapes)
    {
        if (a.Rank < b.Rank)
        {
            (a, b) = (b, a);
        }

        if (b.Rank == 0)
        {
            return a;
        }

        Span<int> dims = stackalloc int[a.Rank];
        a.CopyTo(dims);
        int offset = a.Rank - b.Rank;
        for (int k = 0; k < b.Rank; k++)
        {
            int i = a[offset + k], j = b[k];
            dims[offset + k] = i < 0 || j < 0 ? -1 : i == 1 ? j : j == 1 || i == j ? i : throw new ArgumentException(
                $"{Who}: Inputs have incompatible shapes. Received shapes {a.ToKerasString()} and {b.ToKerasString()} " +
                $"(axes after the batch axis, aligned from the right; size 1 broadcasts). Full input shapes: {List(inputShapes)}",
                nameof(inputShapes));
        }

        return new Shape(dims);
    }

    /// <summary>Shapes as Keras prints a list of them: <c>[(None, 3), (None, 4)]</c>.</summary>
    private protected static string List(IReadOnlyList<Shape> shapes) =>
        "[" + string.Join(", ", shapes.Select(s => s.ToKerasString())) + "]";

    private protected virtual ArgumentException NotAList(Shape shape, string argument) => new(
        $"{Who}: A merge layer should be called on a list of inputs. Received: input_shape={shape.ToKerasString()} (not a list of shapes). " +
        "Call it with a list, e.g. Apply([a, b]).",
        argument);
}
