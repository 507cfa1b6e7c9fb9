using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// What <see cref="MaxPooling2D"/> and <see cref="AveragePooling2D"/> share (Keras <c>BasePooling</c>): a window
/// slid over channels_last images, each channel pooled on its own; no weights.
/// </summary>
public abstract class Pooling2D : Layer
{
    private protected const string DefaultPadding = "valid";

    private readonly Conv2DSpec _spec;

    /// <summary>Checks and keeps the window; strides default to the pool size (Keras).</summary>
    /// <exception cref="ArgumentException">A size or stride is not positive, or the padding is unknown.</exception>
    private protected Pooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides, string padding, string? name)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(padding);
        _spec = Conv2DSpec.Pooling($"{GetType().Name} '{Name}'", poolSize, strides ?? poolSize, padding);
    }

    /// <summary>The window's height and width.</summary>
    public (int Height, int Width) PoolSize => (_spec.WindowHeight, _spec.WindowWidth);

    /// <summary>The step between windows.</summary>
    public (int Height, int Width) Strides => (_spec.StrideHeight, _spec.StrideWidth);

    /// <summary>The padding, <c>"valid"</c> or <c>"same"</c>.</summary>
    public string Padding => _spec.Padding;

    /// <summary>True for max pooling, false for average pooling.</summary>
    private protected abstract bool IsMax { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 4)
        {
            throw new ArgumentException(
                $"{GetType().Name} '{Name}' needs 4-D inputs [batch, height, width, channels], got {inputShape}.", nameof(inputShape));
        }

        return new Shape(inputShape[0], OutputSize(inputShape, vertical: true), OutputSize(inputShape, vertical: false), inputShape[3]);
    }

    private int OutputSize(Shape inputShape, bool vertical)
    {
        int input = inputShape[vertical ? 1 : 2];
        if (input < 0)
        {
            return -1;
        }

        int size = _spec.OutputSize(input, vertical ? _spec.WindowHeight : _spec.WindowWidth, vertical);
        if (size <= 0)
        {
            throw new ArgumentException(
                $"{GetType().Name} '{Name}': the pool {_spec.WindowHeight}×{_spec.WindowWidth} is larger than the input {inputShape} with padding '{Padding}'.",
                nameof(inputShape));
        }

        return size;
    }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        _ = ComputeOutputShape(inputShape); // refuses a pool larger than the (padded) input up front
        base.Build(inputShape);
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => Ops.Pool2D(inputs, _spec, IsMax);

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["pool_size"] = new[] { _spec.WindowHeight, _spec.WindowWidth };
        config["padding"] = Padding;
        config["strides"] = new[] { _spec.StrideHeight, _spec.StrideWidth };
        config["data_format"] = "channels_last";
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        if (inputShape.Length != 4)
        {
            return null;
        }

        long oh = inputShape[1] > 0 ? _spec.OutputSize((int)Math.Min(inputShape[1], int.MaxValue), _spec.WindowHeight, vertical: true) : -1;
        long ow = inputShape[2] > 0 ? _spec.OutputSize((int)Math.Min(inputShape[2], int.MaxValue), _spec.WindowWidth, vertical: false) : -1;
        return new LayerPlan(0, [inputShape[0], oh, ow, inputShape[3]]);
    }

    /// <summary>Reads the shared keys of a saved pooling config, refusing what KerasNotes cannot run.</summary>
    private protected static ((int Height, int Width) PoolSize, (int Height, int Width)? Strides, string Padding) ReadConfig(ObjectConfig config, string className)
    {
        ArgumentNullException.ThrowIfNull(config);
        string who = $"{className} '{config.Name}'";
        string dataFormat = config.GetString("data_format", "channels_last")!;
        if (dataFormat != "channels_last")
        {
            throw config.Fail("data_format", $"{who}: data_format \"{dataFormat}\" is not supported; KerasNotes pools channels_last images.");
        }

        string padding = config.GetString("padding", DefaultPadding)!;
        if (!Conv2DSpec.IsKnownPadding(padding))
        {
            throw config.Fail("padding", $"{who}: padding \"{padding}\" is not supported; expected \"valid\" or \"same\".");
        }

        var poolSize = config.GetPair("pool_size", (2, 2));
        (int, int)? strides = config.Contains("strides") && config.GetJson("strides") != "null" ? config.GetPair("strides", poolSize) : null;
        return (poolSize, strides, padding);
    }
}
