using KerasNotes.Layers;

namespace KerasNotes.Models;

/// <content>Functional models: a graph of layer calls from symbolic inputs to outputs (Keras <c>keras.Model(inputs, outputs)</c>).</content>
public partial class Model
{
    private readonly FunctionalGraph? _graph;
    private readonly bool _inputsAsList;
    private readonly bool _outputsAsList;

    /// <summary>
    /// Creates a functional model from one input to one output (Keras <c>keras.Model(inputs, outputs)</c>): the layer
    /// calls between them become the model. Layers already hold their weights, so the model is built.
    /// </summary>
    /// <param name="inputs">A tensor from <see cref="Keras.Input"/>.</param>
    /// <param name="outputs">A tensor computed from <paramref name="inputs"/> by applying layers.</param>
    /// <param name="name">The name (default <c>functional</c>, made unique).</param>
    /// <param name="trainable">Whether the model's weights are trained.</param>
    /// <exception cref="ArgumentException">The input is not from <see cref="Keras.Input"/>, the output cannot be computed from it, or two layers share a name.</exception>
    /// <example><code>
    /// var x = Keras.Input(shape: [784]);
    /// var model = new Model(x, new Dense(10, activation: "softmax").Apply(new Dense(64, activation: "relu").Apply(x)));
    /// </code></example>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null, bool trainable = true)
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], false, [outputs ?? throw new ArgumentNullException(nameof(outputs))], false, name, trainable)
    {
    }

    /// <summary>Creates a functional model with several inputs and outputs, in the order given (see <see cref="Model(KerasTensor, KerasTensor, string?, bool)"/>).</summary>
    /// <param name="inputs">Tensors from <see cref="Keras.Input"/>.</param>
    /// <param name="outputs">Tensors computed from them; <c>Fit</c> takes one target per output, <c>Predict</c> returns one array per output.</param>
    /// <param name="name">The name (default <c>functional</c>, made unique).</param>
    /// <param name="trainable">Whether the model's weights are trained.</param>
    /// <exception cref="ArgumentException">An input is not from <see cref="Keras.Input"/> or is listed twice, an output cannot be computed from the inputs, or two layers share a name.</exception>
    public Model(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null, bool trainable = true)
        : this(CheckSymbolic(inputs, nameof(inputs)), true, CheckSymbolic(outputs, nameof(outputs)), true, name, trainable)
    {
    }

    /// <summary>Creates a functional model with several inputs and one output.</summary>
    /// <param name="inputs">Tensors from <see cref="Keras.Input"/>.</param>
    /// <param name="outputs">The tensor computed from them.</param>
    /// <param name="name">The name (default <c>functional</c>, made unique).</param>
    /// <param name="trainable">Whether the model's weights are trained.</param>
    /// <exception cref="ArgumentException">As for the other constructors.</exception>
    public Model(IReadOnlyList<KerasTensor> inputs, KerasTensor outputs, string? name = null, bool trainable = true)
        : this(CheckSymbolic(inputs, nameof(inputs)), true, [outputs ?? throw new ArgumentNullException(nameof(outputs))], false, name, trainable)
    {
    }

    /// <summary>Creates a functional model with one input and several outputs.</summary>
    /// <param name="inputs">A tensor from <see cref="Keras.Input"/>.</param>
    /// <param name="outputs">Tensors computed from it.</param>
    /// <param name="name">The name (default <c>functional</c>, made unique).</param>
    /// <param name="trainable">Whether the model's weights are trained.</param>
    /// <exception cref="ArgumentException">As for the other constructors.</exception>
    public Model(KerasTensor inputs, IReadOnlyList<KerasTensor> outputs, string? name = null, bool trainable = true)
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], false, CheckSymbolic(outputs, nameof(outputs)), true, name, trainable)
    {
    }

    private Model(KerasTensor[] inputs, bool inputsAsList, KerasTensor[] outputs, bool outputsAsList, string? name, bool trainable)
        : base(name ?? UniqueName("functional"), trainable)
    {
        _graph = new FunctionalGraph(inputs, outputs, Name);
        _inputsAsList = inputsAsList;
        _outputsAsList = outputsAsList;
        if (!trainable)
        {
            foreach (var layer in _graph.Layers)
            {
                layer.Trainable = false;
            }
        }

        var shapes = Array.ConvertAll(inputs, t => t.Shape);
        if (shapes.Length == 1)
        {
            EnsureBuilt(shapes[0]);
        }
        else
        {
            EnsureBuilt(shapes);
        }
    }

    /// <summary>The functional graph, or null for a Sequential or a subclassed model.</summary>
    internal FunctionalGraph? Graph => _graph;

    /// <summary>True when the model was made from a list of inputs (Keras keeps the structure in the saved config).</summary>
    internal bool InputsAsList => _inputsAsList;

    /// <summary>True when the model was made from a list of outputs.</summary>
    internal bool OutputsAsList => _outputsAsList;

    /// <summary>The symbolic inputs of a functional model (Keras <c>model.inputs</c>); empty for other models.</summary>
    public IReadOnlyList<KerasTensor> Inputs => _graph?.Inputs ?? [];

    /// <summary>The symbolic outputs of a functional model (Keras <c>model.outputs</c>); empty for other models.</summary>
    public IReadOnlyList<KerasTensor> Outputs => _graph?.Outputs ?? [];

    /// <summary>How many inputs the model takes.</summary>
    public int InputCount => _graph?.Inputs.Length ?? 1;

    /// <summary>How many outputs the model produces.</summary>
    public int OutputCount => _graph?.Outputs.Length ?? 1;

    /// <inheritdoc />
    internal override int OutputTensorCount => OutputCount;

    /// <summary>The names data can be given by, one per input: the input layers' names (Keras <c>model.input_names</c>).</summary>
    public IReadOnlyList<string> InputNames =>
        _graph is null ? [BuildInputName()] : Array.ConvertAll(_graph.InputLayers, l => l.Name);

    /// <summary>
    /// The names of the outputs (Keras <c>model.output_names</c>): the layers that produce them. Targets, losses and
    /// metrics can be given by these names, and logs of a model with several outputs use them (<c>dense_1_loss</c>).
    /// </summary>
    public IReadOnlyList<string> OutputNames
    {
        get
        {
            if (_graph is null)
            {
                var layers = Layers;
                return [layers.Count > 0 ? layers[^1].Name : Name];
            }

            return Array.ConvertAll(_graph.Outputs, t => t.Layer.Name);
        }
    }

    private string BuildInputName() => this is Sequential { InputLayer: { } input } ? input.Name : "input_layer";

    /// <summary>
    /// Applies a model with several outputs to symbolic tensors, returning every output (Keras <c>outputs = model(x)</c>).
    /// </summary>
    /// <param name="inputs">One symbolic tensor per input.</param>
    /// <exception cref="ArgumentException">The number or shapes of the inputs do not fit the model.</exception>
    public IReadOnlyList<KerasTensor> ApplyOutputs(IReadOnlyList<KerasTensor> inputs)
    {
        var checkedInputs = CheckSymbolic(inputs, nameof(inputs));
        return ApplySymbolic(checkedInputs, listCall: checkedInputs.Length > 1 || _inputsAsList);
    }

    /// <summary>
    /// Runs a model with several outputs on a batch and returns every output, in order (Keras <c>model([a, b])</c>).
    /// </summary>
    /// <param name="inputs">One batch per input, in input order.</param>
    /// <param name="training">True during training.</param>
    /// <exception cref="ArgumentException">The number or shapes of the inputs do not fit the model.</exception>
    public IReadOnlyList<Tensor> ApplyOutputs(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var shapes = ShapesOf(inputs, nameof(inputs));
        EnsureBuiltFor(shapes);
        ValidateInputs(shapes);
        var outputs = new Tensor[OutputCount];
        RunOutputs(inputs, training, outputs);
        return outputs;
    }

    /// <summary>
    /// Runs the model as the outermost call (clearing the previous call's losses) and writes one tensor per output
    /// into <paramref name="outputs"/>: what training, evaluation and prediction use, for one output or several.
    /// </summary>
    internal void RunOutputs(IReadOnlyList<Tensor> inputs, bool training, Tensor[] outputs)
    {
        if (_graph is null)
        {
            outputs[0] = inputs.Count == 1 ? Apply(inputs[0], training) : Apply(inputs, training);
            return;
        }

        if (inputs.Count != _graph.InputLayers.Length)
        {
            throw new ArgumentException(
                $"Model '{Name}' takes {_graph.InputLayers.Length} input(s) ({string.Join(", ", InputNames)}); it was given {inputs.Count}.", nameof(inputs));
        }

        for (int i = 0; i < inputs.Count; i++)
        {
            CheckGraphInput(i, inputs[i].Shape, nameof(inputs));
        }

        RunAsCall((_graph, inputs, training, outputs), static s => s._graph.Run(s.inputs, s.training, s.outputs));
    }

    /// <summary>The output shapes for inputs of <paramref name="inputShapes"/> (one per output).</summary>
    internal IReadOnlyList<Shape> ComputeOutputShapes(IReadOnlyList<Shape> inputShapes) =>
        _graph is null
            ? [inputShapes.Count == 1 ? ComputeOutputShape(inputShapes[0]) : ComputeOutputShape(inputShapes)]
            : _graph.OutputShapes(inputShapes);

    private void EnsureBuiltFor(IReadOnlyList<Shape> shapes)
    {
        if (shapes.Count == 1)
        {
            EnsureBuilt(shapes[0]);
        }
        else
        {
            EnsureBuilt(shapes);
        }
    }

    /// <inheritdoc />
    internal override IReadOnlyList<Shape> SymbolicOutputShapes(IReadOnlyList<Shape> shapes, bool listCall)
    {
        if (_graph is null)
        {
            return base.SymbolicOutputShapes(shapes, listCall);
        }

        EnsureBuiltFor(shapes);
        ValidateInputs(shapes);
        return _graph.OutputShapes(shapes);
    }

    /// <inheritdoc />
    public override void Build(IReadOnlyList<Shape> inputShapes)
    {
        if (_graph is null)
        {
            base.Build(inputShapes);
        }
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        if (_graph is not null)
        {
            ValidateInputs([inputShape]);
        }
    }

    /// <inheritdoc />
    protected override void ValidateInputs(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (_graph is null)
        {
            base.ValidateInputs(inputShapes);
            return;
        }

        if (inputShapes.Count != _graph.InputLayers.Length)
        {
            throw new ArgumentException(
                $"Model '{Name}' takes {_graph.InputLayers.Length} input(s) ({string.Join(", ", InputNames)}); it was given {inputShapes.Count}.", nameof(inputShapes));
        }

        for (int i = 0; i < inputShapes.Count; i++)
        {
            CheckGraphInput(i, inputShapes[i], nameof(inputShapes));
        }
    }

    /// <summary>
    /// Checks one input against its <see cref="Input"/>'s declared shape. The batch axis is not compared: Keras checks a
    /// functional model's inputs without it, so a model declared for batches of 4 still takes a last batch of 2.
    /// </summary>
    private void CheckGraphInput(int index, Shape actual, string argument)
    {
        var input = _graph!.InputLayers[index];
        var expected = input.BatchShape;
        if (!expected.Accepts(actual, firstAxis: 1))
        {
            throw new ArgumentException(
                $"Model '{Name}' input '{input.Name}' expects shape {expected.With(0, -1)}, got {actual}.", argument);
        }
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => Call([inputs], training);

    /// <inheritdoc />
    protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_graph is null)
        {
            throw new InvalidOperationException(
                $"Model '{Name}' ({GetType().Name}) has no layers graph: make it with new Model(inputs, outputs), or override Call in the subclass.");
        }

        if (_graph.Outputs.Length != 1)
        {
            throw new InvalidOperationException($"Model '{Name}' has {_graph.Outputs.Length} outputs; call ApplyOutputs to get all of them.");
        }

        Span<Tensor> output = new Tensor[1];
        _graph.Run(inputs, training, output);
        return output[0];
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) =>
        _graph is null ? base.ComputeOutputShape(inputShape) : SingleOutputShape(_graph.OutputShapes([inputShape]));

    /// <inheritdoc />
    public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) =>
        _graph is null ? base.ComputeOutputShape(inputShapes) : SingleOutputShape(_graph.OutputShapes(inputShapes));

    private Shape SingleOutputShape(Shape[] shapes) => shapes.Length == 1
        ? shapes[0]
        : throw new InvalidOperationException($"Model '{Name}' has {shapes.Length} outputs; use ApplyOutputs for all of them.");
}
