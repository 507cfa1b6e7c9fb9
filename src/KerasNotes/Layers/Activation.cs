using KerasNotes.Activations;
using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>Applies an activation function (Keras <c>keras.layers.Activation</c>).</summary>
public sealed class Activation : Layer
{
    private readonly ActivationFunction _fn;

    /// <summary>Creates the layer.</summary>
    /// <param name="activation">A Keras activation name such as <c>"relu"</c> or a name registered in <c>CustomObjects</c>.</param>
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

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape) => new(0, inputShape);

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">The activation is unknown (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Activation FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Activation(config.GetActivationName("activation"), config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Activation", FromConfig);
}
