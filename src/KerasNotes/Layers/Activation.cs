using KerasNotes.Activations;

namespace KerasNotes.Layers;

/// <summary>Applies an activation function (Keras <c>keras.layers.Activation</c>).</summary>
public sealed class Activation : Layer
{
    private readonly ActivationFunction _fn;

    /// <summary>Creates the layer.</summary>
    /// <param name="activation">A Keras activation name such as <c>"relu"</c> or a name registered in <see cref="Saving.CustomObjects"/>.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentException">The activation is unknown.</exception>
    public Activation(string activation, string? name = null)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(activation);
        ActivationName = activation;
        _fn = ActivationFunctions.Get(activation);
    }

    /// <summary>The Keras name of the activation.</summary>
    public string ActivationName { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => _fn(inputs);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["activation"] = ActivationName;
        return config;
    }
}
