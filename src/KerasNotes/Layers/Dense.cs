using KerasNotes.Activations;
using KerasNotes.Initializers;
using KerasNotes.Regularizers;
using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// A densely connected layer: <c>y = activation(x · kernel + bias)</c> over the last axis of x
/// (Keras <c>keras.layers.Dense</c>). The kernel has shape <c>(input_dim, units)</c>.
/// </summary>
/// <remarks>
/// The matrix product, bias and the activations relu, sigmoid, tanh and linear run as one fused
/// op with one fused backward pass; other activations follow it as separate ops.
/// </remarks>
/// <example><code>new Dense(256, activation: "relu", kernelRegularizer: new L2(1e-4))</code></example>
public sealed class Dense : Layer
{
    private const bool DefaultUseBias = true;

    private readonly ActivationFunction _activation;
    private readonly FusedActivation _fused;

    /// <summary>Creates the layer.</summary>
    /// <param name="units">The output size (positive).</param>
    /// <param name="activation">A Keras activation name (<c>"relu"</c>, <c>"softmax"</c>…); null means linear.</param>
    /// <param name="useBias">Whether to add a bias vector.</param>
    /// <param name="kernelInitializer">Kernel initializer (default glorot_uniform).</param>
    /// <param name="biasInitializer">Bias initializer (default zeros).</param>
    /// <param name="kernelRegularizer">Penalty on the kernel.</param>
    /// <param name="biasRegularizer">Penalty on the bias.</param>
    /// <param name="activityRegularizer">Penalty on the output (divided by the batch size).</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <exception cref="ArgumentException"><paramref name="units"/> is not positive or the activation is unknown.</exception>
    public Dense(
        int units,
        string? activation = null,
        bool useBias = DefaultUseBias,
        Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null,
        Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null,
        string? name = null,
        bool trainable = true)
        : base(name, trainable, activityRegularizer)
    {
        if (units <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(units), units, $"Dense '{Name}': units must be a positive integer.");
        }

        if (units > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(units), units, $"Dense '{Name}': units {units} is more than a weight can hold (at most {Array.MaxLength} values).");
        }

        Units = units;
        ActivationName = string.IsNullOrEmpty(activation) ? "linear" : activation;
        _activation = ActivationFunctions.Get(ActivationName);
        _fused = FusedActivations.Of(ActivationName);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
    }

    /// <summary>The output size.</summary>
    public int Units { get; }

    /// <summary>The Keras name of the activation.</summary>
    public string ActivationName { get; }

    /// <summary>Whether the layer adds a bias.</summary>
    public bool UseBias { get; }

    /// <summary>The kernel initializer.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>The bias initializer.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>The kernel penalty, if any.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>The bias penalty, if any.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>The kernel, shape <c>(input_dim, units)</c>; null before the layer is built.</summary>
    public Variable? Kernel { get; private set; }

    /// <summary>The bias, shape <c>(units,)</c>; null before the layer is built or without a bias.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        if (inputShape.Rank < 2 || inputShape[-1] <= 0)
        {
            throw new ArgumentException(
                $"Dense '{Name}' needs inputs of rank 2 or more with a known last dimension, got {inputShape}.", nameof(inputShape));
        }

        long kernelSize = (long)inputShape[-1] * Units;
        if (kernelSize > Array.MaxLength)
        {
            // The value at fault is the constructor's units argument, so the exception names it, not inputShape.
#pragma warning disable CA2208
            throw new ArgumentOutOfRangeException(
                "units",
                Units,
                $"Dense '{Name}' with units {Units} on inputs of shape {inputShape} needs a kernel of {inputShape[-1]} x {Units} = {kernelSize} values, more than a weight can hold ({Array.MaxLength}).");
#pragma warning restore CA2208
        }

        Kernel = AddWeight("kernel", new Shape(inputShape[-1], Units), KernelInitializer, KernelRegularizer);
        if (UseBias)
        {
            Bias = AddWeight("bias", new Shape(Units), BiasInitializer, BiasRegularizer);
        }
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        int expected = Kernel!.Shape[0];
        if (inputShape.Rank < 2 || inputShape[-1] != expected)
        {
            throw new ArgumentException(
                $"Dense '{Name}' expects inputs with last dimension {expected}, got {inputShape}.", nameof(inputShape));
        }
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape.With(-1, Units);

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        var z = Ops.Dense(inputs, Kernel!, Bias?.Value, _fused);
        return _fused == FusedActivation.None && ActivationName != "linear" ? _activation(z) : z;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        long last = inputShape.Length > 0 ? inputShape[^1] : -1;
        long weights = last > 0 ? checked((last * Units) + (UseBias ? Units : 0)) : 0;
        var output = (long[])inputShape.Clone();
        if (output.Length > 0)
        {
            output[^1] = Units;
        }

        return new LayerPlan(weights, output);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        config["activation"] = ActivationName;
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer;
        config["bias_initializer"] = BiasInitializer;
        config["kernel_regularizer"] = KernelRegularizer;
        config["bias_regularizer"] = BiasRegularizer;
        config["kernel_constraint"] = null;
        config["bias_constraint"] = null;
        // Keras 3.13+ (keras/src/layers/core/dense.py get_config); lora_rank and lora_alpha follow only when LoRA is on.
        config["quantization_config"] = null;
        return config;
    }

    /// <summary>
    /// Rebuilds the layer from its saved config (Keras <c>from_config</c>). A quantized layer (a
    /// <c>quantization_config</c> other than null) and LoRA (a <c>lora_rank</c> other than null or 0) are refused.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Dense FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string who = $"Dense '{config.Name}'";
        config.RejectConstraint("kernel_constraint");
        config.RejectConstraint("bias_constraint");
        config.RejectUnlessNull("quantization_config", who, "a quantized layer");
        config.RejectLora(who);
        return new Dense(
            config.RequireInt32("units"),
            config.GetActivationName("activation"),
            config.GetBoolean("use_bias", DefaultUseBias),
            config.GetObject<Initializer>("kernel_initializer"),
            config.GetObject<Initializer>("bias_initializer"),
            config.GetObject<Regularizer>("kernel_regularizer"),
            config.GetObject<Regularizer>("bias_regularizer"),
            config.GetObject<Regularizer>("activity_regularizer"),
            config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Dense", FromConfig);
}
