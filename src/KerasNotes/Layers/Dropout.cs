using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Randomly sets a fraction <see cref="Rate"/> of inputs to 0 during training and scales the rest by
/// <c>1 / (1 − rate)</c> (inverted dropout, Keras <c>keras.layers.Dropout</c>). At inference it is
/// the identity.
/// </summary>
/// <remarks>
/// Masks come from the layer's own generator (seeded by its seed or the global seed),
/// drawn 16 lanes at a time. Keras accepts rate 1 (all zeros); here the rate must be below 1,
/// since a layer that zeroes everything stops all learning.
/// </remarks>
public sealed class Dropout : Layer
{
    private readonly RandomGenerator? _rng;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">The fraction of units to drop, in [0, 1).</param>
    /// <param name="noiseShape">
    /// The shape of the mask (with -1 for "the input's size"), broadcast to the input: size-1 axes share one
    /// draw. Null for an independent draw per element.
    /// </param>
    /// <param name="seed">The seed of this layer's generator; null draws from the global seed.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public Dropout(double rate, int[]? noiseShape = null, int? seed = null, string? name = null)
        : base(name)
    {
        HyperparameterChecks.Fraction(rate, nameof(Dropout), nameof(rate), oneAllowed: false);

        if (noiseShape is not null)
        {
            foreach (int d in noiseShape)
            {
                if (d <= 0 && d != -1)
                {
                    throw new ArgumentException(
                        $"Dropout 'noiseShape' [{string.Join(", ", noiseShape)}] has dimension {d}; expected positive sizes or -1.", nameof(noiseShape));
                }
            }
        }

        Rate = rate;
        NoiseShape = noiseShape is null ? null : (int[])noiseShape.Clone();
        Seed = seed;
        if (rate > 0)
        {
            _rng = seed is int s ? KerasNotes.RandomSeed.FromSeed(s) : KerasNotes.RandomSeed.NextGenerator();
        }
    }

    /// <summary>The fraction of units dropped during training.</summary>
    public double Rate { get; }

    /// <summary>The mask shape, or null.</summary>
    public IReadOnlyList<int>? NoiseShape { get; }

    /// <summary>The generator seed, or null.</summary>
    public int? Seed { get; }

    internal RandomGenerator? Generator => _rng;

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training)
    {
        if (!training || _rng is null)
        {
            return inputs;
        }

        Shape? noise = null;
        if (NoiseShape is not null)
        {
            if (NoiseShape.Count != inputs.Rank)
            {
                throw new ArgumentException(
                    $"Dropout '{Name}' has noiseShape of rank {NoiseShape.Count}, but the input has shape {inputs.Shape}.", nameof(inputs));
            }

            Span<int> dims = stackalloc int[inputs.Rank];
            for (int i = 0; i < dims.Length; i++)
            {
                dims[i] = NoiseShape[i] == -1 ? inputs.Shape[i] : NoiseShape[i];
                if (dims[i] != 1 && dims[i] != inputs.Shape[i])
                {
                    throw new ArgumentException(
                        $"Dropout '{Name}' noiseShape does not broadcast to the input shape {inputs.Shape} (axis {i}).", nameof(inputs));
                }
            }

            noise = new Shape(dims);
        }

        return Ops.Dropout(inputs, (float)Rate, _rng, noise);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["rate"] = Rate;
        config["seed"] = Seed;
        config["noise_shape"] = NoiseShape;
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape) => new(0, inputShape);

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Dropout FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dropout(config.RequireDouble("rate"), config.GetShape("noise_shape"), config.GetNullableInt32("seed"), config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Dropout", FromConfig);
}
