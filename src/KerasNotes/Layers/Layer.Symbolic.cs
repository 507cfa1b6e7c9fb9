namespace KerasNotes.Layers;

/// <content>Calls on symbolic tensors: how a layer joins a functional graph (Keras <c>layer(keras_tensor)</c>).</content>
public abstract partial class Layer
{
    private readonly List<Node> _inboundNodes = [];

    /// <summary>The layer's calls on symbolic tensors, in order (Keras <c>_inbound_nodes</c>).</summary>
    internal IReadOnlyList<Node> InboundNodes
    {
        get
        {
            lock (_inboundNodes)
            {
                return [.. _inboundNodes];
            }
        }
    }

    /// <summary>
    /// Applies the layer to a symbolic tensor (Keras <c>layer(x)</c> on a <c>KerasTensor</c>): builds the layer for the
    /// tensor's shape if it is not built, records the call, and returns the symbolic output. Calling one layer on
    /// several tensors shares its weights between the calls.
    /// </summary>
    /// <param name="inputs">The symbolic input, from <see cref="Keras.Input"/> or another layer.</param>
    /// <returns>The symbolic output, with the shape the layer produces.</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the layer; the message names the layer and both shapes.</exception>
    public KerasTensor Apply(KerasTensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        RefuseSeveralOutputs();
        return ApplySymbolic([inputs], listCall: false)[0];
    }

    /// <summary>
    /// Applies a layer that takes several inputs (a merge layer, a model with several inputs) to symbolic tensors
    /// (Keras <c>layer([a, b])</c>).
    /// </summary>
    /// <param name="inputs">The symbolic inputs, in the order the layer expects them.</param>
    /// <returns>The symbolic output.</returns>
    /// <exception cref="ArgumentException">No inputs, a null input, or shapes that do not fit the layer (named in the message).</exception>
    public KerasTensor Apply(IReadOnlyList<KerasTensor> inputs)
    {
        var checkedInputs = CheckSymbolic(inputs, nameof(inputs));
        RefuseSeveralOutputs();
        return ApplySymbolic(checkedInputs, listCall: true)[0];
    }

    /// <summary>Checks a list of symbolic inputs and copies it.</summary>
    internal static KerasTensor[] CheckSymbolic(IReadOnlyList<KerasTensor> tensors, string argument)
    {
        ArgumentNullException.ThrowIfNull(tensors, argument);
        if (tensors.Count == 0)
        {
            throw new ArgumentException($"The list '{argument}' is empty; it needs at least one tensor.", argument);
        }

        var copy = new KerasTensor[tensors.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = tensors[i] ?? throw new ArgumentException($"'{argument}' item {i} of {tensors.Count} is null.", argument);
        }

        return copy;
    }

    /// <summary>How many tensors a call of this layer produces (several only for a model with several outputs).</summary>
    internal virtual int OutputTensorCount => 1;

    // Checked before the call is recorded: a refused Apply must not leave a node behind.
    private void RefuseSeveralOutputs()
    {
        if (OutputTensorCount != 1)
        {
            throw new InvalidOperationException($"Layer '{Name}' has {OutputTensorCount} outputs; call ApplyOutputs to get all of them.");
        }
    }

    /// <summary>
    /// Records a call on symbolic tensors: builds the layer, works out the output shapes (so a misfit fails here, when
    /// the graph is built, not in training) and adds the node. Nothing is recorded when the call is refused.
    /// </summary>
    internal KerasTensor[] ApplySymbolic(KerasTensor[] inputs, bool listCall)
    {
        if (this is Input)
        {
            throw new ArgumentException(
                $"Input '{Name}' cannot be applied to a tensor; use its Output (or Keras.Input) as the start of a graph.", nameof(inputs));
        }

        var shapes = new Shape[inputs.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            shapes[i] = inputs[i].Shape;
        }

        IReadOnlyList<Shape> outShapes;
        try
        {
            outShapes = SymbolicOutputShapes(shapes, listCall);
        }
        catch (ArgumentException e)
        {
            // The inner message without its "(Parameter '...')" tail: the outer exception names its own parameter.
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ArgumentException($"Cannot apply layer '{Name}' ({GetType().Name}) to {Describe(inputs)}: {reason}", nameof(inputs), e);
        }

        Node node;
        lock (_inboundNodes)
        {
            node = new Node(this, _inboundNodes.Count, inputs, listCall);
            var outputs = new KerasTensor[outShapes.Count];
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] = new KerasTensor(outShapes[i], node, i);
            }

            node.Outputs = outputs;
            _inboundNodes.Add(node);
        }

        return node.Outputs;
    }

    /// <summary>
    /// Builds the layer for symbolic inputs of <paramref name="shapes"/> and returns its output shapes; throws
    /// <see cref="ArgumentException"/> when the inputs do not fit. Models with several outputs override it.
    /// </summary>
    internal virtual IReadOnlyList<Shape> SymbolicOutputShapes(IReadOnlyList<Shape> shapes, bool listCall)
    {
        if (listCall)
        {
            EnsureBuilt(shapes);
            ValidateInputs(shapes);
            return [ComputeOutputShape(shapes)];
        }

        EnsureBuilt(shapes[0]);
        ValidateInput(shapes[0]);
        return [ComputeOutputShape(shapes[0])];
    }

    private static string Describe(KerasTensor[] inputs)
    {
        if (inputs.Length == 1)
        {
            return $"'{inputs[0].Layer.Name}' output of shape {inputs[0].Shape}";
        }

        var parts = new string[inputs.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = $"'{inputs[i].Layer.Name}' {inputs[i].Shape}";
        }

        return "inputs [" + string.Join(", ", parts) + "]";
    }

    /// <summary>Makes the node an <see cref="Input"/> starts a graph with (index 0, no inputs, one output).</summary>
    private protected KerasTensor AddInputNode(Shape shape)
    {
        lock (_inboundNodes)
        {
            if (_inboundNodes.Count > 0)
            {
                return _inboundNodes[0].Outputs[0];
            }

            var node = new Node(this, 0, [], listCall: false);
            node.Outputs = [new KerasTensor(shape, node, 0)];
            _inboundNodes.Add(node);
            return node.Outputs[0];
        }
    }
}
