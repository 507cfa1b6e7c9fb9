using KerasNotes.Activations;
using KerasNotes.Initializers;
using KerasNotes.Regularizers;
using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// A 2-D convolution over channels_last images (Keras <c>keras.layers.Conv2D</c>):
/// <c>y[b, i, j, f] = activation(bias[f] + Σ x[b, i·sh + r·dh, j·sw + c·dw, ch] · kernel[r, c, ch, f])</c>.
/// The kernel has Keras's shape <c>(kh, kw, in_channels, filters)</c>, so weights move to and from Keras as they are.
/// </summary>
/// <remarks>
/// <c>"same"</c> padding is TensorFlow's: the output has <c>ceil(in / stride)</c> positions and an odd amount of
/// padding puts the extra row or column at the bottom or right. The convolution runs on the packed GEMM, a few
/// rows of patches at a time; relu, sigmoid and tanh are fused into it as in <see cref="Dense"/>.
/// </remarks>
/// <example><code>new Conv2D(32, kernelSize: 3, activation: "relu")</code></example>
public sealed class Conv2D : Layer
{
    private const string DefaultPadding = "valid";
    private const bool DefaultUseBias = true;

    private readonly ActivationFunction _activation;
    private readonly FusedActivation _fused;
    private readonly Conv2DSpec _spec;

    /// <summary>Creates the layer with square kernel, strides and dilation.</summary>
    /// <param name="filters">The number of output channels (positive).</param>
    /// <param name="kernelSize">The kernel's height and width.</param>
    /// <param name="strides">The step between windows.</param>
    /// <param name="padding"><c>"valid"</c> or <c>"same"</c>.</param>
    /// <param name="dilationRate">The spacing between kernel taps (strides and dilation cannot both exceed 1).</param>
    /// <param name="activation">A Keras activation name; null means linear.</param>
    /// <param name="useBias">Whether to add a bias per filter.</param>
    /// <param name="kernelInitializer">Kernel initializer (default glorot_uniform).</param>
    /// <param name="biasInitializer">Bias initializer (default zeros).</param>
    /// <param name="kernelRegularizer">Penalty on the kernel.</param>
    /// <param name="biasRegularizer">Penalty on the bias.</param>
    /// <param name="activityRegularizer">Penalty on the output.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <exception cref="ArgumentException">An argument is out of range or the activation is unknown.</exception>
    public Conv2D(
        int filters,
        int kernelSize,
        int strides = 1,
        string padding = DefaultPadding,
        int dilationRate = 1,
        string? activation = null,
        bool useBias = DefaultUseBias,
        Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null,
        Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null,
        string? name = null,
        bool trainable = true)
        : this(filters, (kernelSize, kernelSize), (strides, strides), padding, (dilationRate, dilationRate), activation, useBias,
            kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, name, trainable)
    {
    }

    /// <summary>Creates the layer with separate heights and widths; see the other constructor.</summary>
    /// <exception cref="ArgumentException">An argument is out of range or the activation is unknown.</exception>
    public Conv2D(
        int filters,
        (int Height, int Width) kernelSize,
        (int Height, int Width)? strides = null,
        string padding = DefaultPadding,
        (int Height, int Width)? dilationRate = null,
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
        if (filters <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"Conv2D '{Name}': filters must be a positive integer.");
        }

        if (kernelSize.Height <= 0 || kernelSize.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(kernelSize), $"Conv2D '{Name}': kernelSize is ({kernelSize.Height}, {kernelSize.Width}); expected positive integers.");
        }

        ArgumentNullException.ThrowIfNull(padding);
        _spec = Conv2DSpec.Convolution($"Conv2D '{Name}'", strides ?? (1, 1), padding, dilationRate ?? (1, 1));
        Filters = filters;
        KernelSize = kernelSize;
        ActivationName = string.IsNullOrEmpty(activation) ? "linear" : activation;
        _activation = ActivationFunctions.Get(ActivationName);
        _fused = FusedActivations.Of(ActivationName);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The kernel's height and width.</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public (int Height, int Width) Strides => (_spec.StrideHeight, _spec.StrideWidth);

    /// <summary>The padding, <c>"valid"</c> or <c>"same"</c>.</summary>
    public string Padding => _spec.Padding;

    /// <summary>The spacing between kernel taps.</summary>
    public (int Height, int Width) DilationRate => (_spec.DilationHeight, _spec.DilationWidth);

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

    /// <summary>The kernel, shape <c>(kh, kw, in_channels, filters)</c>; null before the layer is built.</summary>
    public Variable? Kernel { get; private set; }

    /// <summary>The bias, shape <c>(filters,)</c>; null before the layer is built or without a bias.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        if (inputShape.Rank != 4 || inputShape[-1] <= 0)
        {
            throw new ArgumentException(
                $"Conv2D '{Name}' needs 4-D inputs [batch, height, width, channels] with a known channel count, got {inputShape}.", nameof(inputShape));
        }

        _ = ComputeOutputShape(inputShape); // refuses a kernel larger than the (padded) input before any weight exists
        long kernelValues = (long)KernelSize.Height * KernelSize.Width * inputShape[-1] * Filters;
        if (kernelValues > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Conv2D '{Name}' on inputs of shape {inputShape} needs a kernel of {kernelValues} values, more than a weight can hold ({Array.MaxLength}).",
                nameof(inputShape));
        }

        Kernel = AddWeight("kernel", new Shape(KernelSize.Height, KernelSize.Width, inputShape[-1], Filters), KernelInitializer, KernelRegularizer);
        if (UseBias)
        {
            Bias = AddWeight("bias", new Shape(Filters), BiasInitializer, BiasRegularizer);
        }
    }

    /// <inheritdoc />
    protected override void ValidateInput(Shape inputShape)
    {
        int expected = Kernel!.Shape[2];
        if (inputShape.Rank != 4 || inputShape[-1] != expected)
        {
            throw new ArgumentException(
                $"Conv2D '{Name}' expects 4-D inputs [batch, height, width, {expected}], got {inputShape}.", nameof(inputShape));
        }
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 4)
        {
            throw new ArgumentException(
                $"Conv2D '{Name}' needs 4-D inputs [batch, height, width, channels], got {inputShape}.", nameof(inputShape));
        }

        return new Shape(inputShape[0], OutputSize(inputShape, vertical: true), OutputSize(inputShape, vertical: false), Filters);
    }

    private int OutputSize(Shape inputShape, bool vertical)
    {
        int input = inputShape[vertical ? 1 : 2];
        if (input < 0)
        {
            return -1;
        }

        int size = _spec.OutputSize(input, vertical ? KernelSize.Height : KernelSize.Width, vertical);
        if (size <= 0)
        {
            throw new ArgumentException(
                $"Conv2D '{Name}': the kernel {KernelSize.Height}×{KernelSize.Width} (dilation {DilationRate}) is larger than the input {inputShape} with padding '{Padding}'.",
                nameof(inputShape));
        }

        return size;
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        var z = Ops.Conv2D(inputs, Kernel!, Bias?.Value, _fused, _spec);
        return _fused == FusedActivation.None && ActivationName != "linear" ? _activation(z) : z;
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["filters"] = Filters;
        config["kernel_size"] = new[] { KernelSize.Height, KernelSize.Width };
        config["strides"] = new[] { _spec.StrideHeight, _spec.StrideWidth };
        config["padding"] = Padding;
        config["data_format"] = "channels_last";
        config["dilation_rate"] = new[] { _spec.DilationHeight, _spec.DilationWidth };
        config["groups"] = 1;
        config["activation"] = ActivationName;
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer;
        config["bias_initializer"] = BiasInitializer;
        config["kernel_regularizer"] = KernelRegularizer;
        config["bias_regularizer"] = BiasRegularizer;
        config["activity_regularizer"] = ActivityRegularizer;
        config["kernel_constraint"] = null;
        config["bias_constraint"] = null;
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        if (inputShape.Length != 4)
        {
            return null;
        }

        long weights = inputShape[3] > 0 ? checked((KernelSize.Height * (long)KernelSize.Width * inputShape[3] * Filters) + (UseBias ? Filters : 0)) : 0;
        long oh = inputShape[1] > 0 ? _spec.OutputSize((int)Math.Min(inputShape[1], int.MaxValue), KernelSize.Height, vertical: true) : -1;
        long ow = inputShape[2] > 0 ? _spec.OutputSize((int)Math.Min(inputShape[2], int.MaxValue), KernelSize.Width, vertical: false) : -1;
        return new LayerPlan(weights, [inputShape[0], oh, ow, Filters]);
    }

    /// <summary>
    /// Rebuilds the layer from its saved config (Keras <c>from_config</c>). Only channels_last data and
    /// <c>groups = 1</c> are supported, without LoRA (<c>lora_rank</c> null or 0); anything else is refused with the layer
    /// and the value named.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Conv2D FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string who = $"Conv2D '{config.Name}'";
        string dataFormat = config.GetString("data_format", "channels_last")!;
        if (dataFormat != "channels_last")
        {
            throw config.Fail("data_format", $"{who}: data_format \"{dataFormat}\" is not supported; KerasNotes convolves channels_last images.");
        }

        int groups = config.GetInt32("groups", 1);
        if (groups != 1)
        {
            throw config.Fail("groups", $"{who}: groups = {groups} (grouped convolution) is not supported; expected 1.");
        }

        string padding = config.GetString("padding", DefaultPadding)!;
        if (!Conv2DSpec.IsKnownPadding(padding))
        {
            throw config.Fail("padding", $"{who}: padding \"{padding}\" is not supported; expected \"valid\" or \"same\".");
        }

        config.RejectConstraint("kernel_constraint");
        config.RejectConstraint("bias_constraint");
        config.RejectLora(who);
        return new Conv2D(
            config.RequireInt32("filters"),
            config.GetPair("kernel_size", (0, 0)),
            config.GetPair("strides", (1, 1)),
            padding,
            config.GetPair("dilation_rate", (1, 1)),
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
    internal static void Register() => Table.AddClass("Conv2D", FromConfig);
}
