using KerasNotes.Layers;

namespace KerasNotes.Models;

/// <summary>
/// A plain stack of layers, each feeding the next (Keras <c>keras.Sequential</c>).
/// </summary>
/// <remarks>
/// Start with an <see cref="Input"/> to fix the input shape: the model then builds as layers are added,
/// so a layer that does not fit fails at once. Without one, the model builds on its first call or
/// <c>Fit</c> from the data's shape.
/// </remarks>
/// <example><code>
/// var model = new Sequential(
///     new Input(784),
///     new Dense(256, activation: "relu"),
///     new BatchNormalization(),
///     new Dropout(0.2),
///     new Dense(10, activation: "softmax"));
/// </code></example>
public sealed class Sequential : Model
{
    private readonly List<Layer> _layers = [];

    // Kept beside _layers so that Add costs the same for the 100,000th layer as for the first: scanning the
    // names, and re-running every shape, on each Add made building (and loading) a long stack quadratic.
    // The cached shape is not used while the stack holds a nested model: layers added to that model later change its output.
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private Shape? _outputShape;
    private int _nestedModels;
    private Input? _input;

    /// <summary>Creates a model from layers, in order.</summary>
    public Sequential(params Layer[] layers)
        : this(layers, name: null)
    {
    }

    /// <summary>Creates a model from layers, with a name (default <c>sequential</c>, made unique).</summary>
    public Sequential(IEnumerable<Layer>? layers, string? name = null, bool trainable = true)
        : base(name, trainable)
    {
        foreach (var layer in layers ?? [])
        {
            Add(layer);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The leading input layer, if any.</summary>
    public Input? InputLayer => _input;

    internal override IReadOnlyList<Layer> AllLayers => _layers;

    /// <summary>Adds a layer on top of the stack (Keras <c>add</c>).</summary>
    /// <exception cref="ArgumentException">A second <see cref="Input"/>, a duplicate layer name, or a layer that does not fit the current output shape.</exception>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Input input)
        {
            if (_input is not null || _layers.Count > 0)
            {
                throw new ArgumentException(
                    $"Sequential '{Name}' already has {(_input is not null ? $"an Input ('{_input.Name}')" : "layers")}; an Input can only be the first layer.", nameof(layer));
            }

            _input = input;
            StructureChanged();
            return;
        }

        if (ReferenceEquals(layer, this))
        {
            throw new ArgumentException("A model cannot contain itself.", nameof(layer));
        }

        if (_names.Contains(layer.Name))
        {
            throw new ArgumentException(
                $"Sequential '{Name}' already has a layer named '{layer.Name}'; layer names must be unique within a model.", nameof(layer));
        }

        Shape? output = null;
        if (_input is not null)
        {
            // Build eagerly so a layer that does not fit fails here, not in the middle of training.
            var shape = StackOutputShape(_input.BatchShape);
            layer.EnsureBuilt(shape);
            output = layer.ComputeOutputShape(shape);
        }

        _layers.Add(layer);
        _names.Add(layer.Name);
        _outputShape = output;
        _nestedModels += layer is Model ? 1 : 0;
        StructureChanged();
        if (_input is not null && !Built)
        {
            EnsureBuilt(_input.BatchShape);
        }
    }

    /// <summary>Removes the last layer (Keras <c>pop</c>).</summary>
    /// <exception cref="InvalidOperationException">The model has no layers.</exception>
    public Layer Pop()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException($"Sequential '{Name}' has no layers to pop.");
        }

        var last = _layers[^1];
        _layers.RemoveAt(_layers.Count - 1);
        _names.Remove(last.Name);
        _outputShape = null;
        _nestedModels -= last is Model ? 1 : 0;
        StructureChanged();
        return last;
    }

    /// <summary>The output shape of the layers so far for <paramref name="inputShape"/>, remembered from the last Add when there is one.</summary>
    private Shape StackOutputShape(Shape inputShape)
    {
        if (_layers.Count == 0)
        {
            return inputShape;
        }

        return _nestedModels == 0 && _outputShape is { } cached ? cached : ComputeOutputShape(inputShape);
    }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException($"Sequential '{Name}' has no layers to build.");
        }

        _input?.EnsureBuilt(inputShape);
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            layer.EnsureBuilt(shape);
            shape = layer.ComputeOutputShape(shape);
        }
    }

    /// <summary>Builds the model for inputs of one sample shape (batch axis excluded).</summary>
    public void Build(params int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        var dims = new int[sampleShape.Length + 1];
        dims[0] = -1;
        sampleShape.CopyTo(dims, 1);
        EnsureBuilt(new Shape(dims));
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        if (_input is not null)
        {
            var expected = _input.BatchShape;
            if (!expected.Accepts(inputShape))
            {
                throw new ArgumentException($"Sequential '{Name}' expects inputs of shape {expected}, got {inputShape}.", nameof(inputShape));
            }
        }
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        // Models nested thousands deep would otherwise end the process with a stack overflow.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var x = inputs;
        foreach (var layer in _layers)
        {
            x = layer.Apply(x, training);
        }

        return x;
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            shape = layer.ComputeOutputShape(shape);
        }

        return shape;
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = Name,
            ["trainable"] = Trainable,
            ["dtype"] = "float32",
        };
        var layers = new List<Layer>();
        if (_input is not null)
        {
            layers.Add(_input);
        }

        layers.AddRange(_layers);
        config["layers"] = layers;
        if (Built)
        {
            config["build_input_shape"] = BuildInputShape;
        }

        return config;
    }
}
