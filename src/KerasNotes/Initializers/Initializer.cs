using KerasNotes.Serialization;

namespace KerasNotes.Initializers;

/// <summary>
/// Creates the starting values of a weight (Keras <c>keras.initializers.Initializer</c>).
/// </summary>
/// <remarks>
/// Subclass it and override <see cref="Fill"/> for a custom scheme. An initializer with no
/// seed draws from the global seed (<see cref="RandomSeed"/>) and gives new values on
/// every call; with a seed, every call gives the same values (as in Keras).
/// </remarks>
public abstract class Initializer : IRegistered<Initializer>
{
    /// <summary>Every initializer class that can be found by name or rebuilt from a saved config; each adds itself.</summary>
    internal static Registry<Initializer> Table { get; } = new("initializer", "keras.initializers", KerasNameComparer.Instance, "; custom initializers cannot be loaded");

    /// <inheritdoc />
    static Registry<Initializer> IRegistered<Initializer>.Registry => Table;

    /// <summary>The values for a weight of shape <paramref name="shape"/>.</summary>
    public Tensor Call(Shape shape)
    {
        var t = Tensor.AllocatePersistent(shape);
        Fill(t.Span, shape);
        return t;
    }

    /// <summary>Writes the values for a weight of shape <paramref name="shape"/> into <paramref name="destination"/> (row-major).</summary>
    public abstract void Fill(Span<float> destination, Shape shape);

    /// <summary>The Keras class name, e.g. <c>GlorotUniform</c>.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The configuration Keras writes for this initializer (its constructor arguments).</summary>
    public abstract IReadOnlyDictionary<string, object?> GetConfig();

    /// <summary>
    /// Resolves a Keras identifier such as <c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"zeros"</c> or a class name.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a known initializer.</exception>
    public static Initializer Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return Table.TryGet(identifier) ?? throw new ArgumentException(
            $"Unknown initializer '{identifier}'; expected one of {string.Join(", ", Table.KnownNames)} or an Initializer instance.",
            nameof(identifier));
    }

    /// <summary>(fan_in, fan_out) of a weight shape, as Keras computes them.</summary>
    public static (double FanIn, double FanOut) ComputeFans(Shape shape)
    {
        switch (shape.Rank)
        {
            case 0:
                return (1, 1);
            case 1:
                return (shape[0], shape[0]);
            case 2:
                return (shape[0], shape[1]);
            default:
                double receptive = 1;
                for (int i = 0; i < shape.Rank - 2; i++)
                {
                    receptive *= shape[i];
                }

                return (shape[-2] * receptive, shape[-1] * receptive);
        }
    }

    /// <summary>The generator for one call: the same seed each call when seeded, else the next global stream.</summary>
    private protected static RandomGenerator GeneratorFor(int? seed) =>
        seed is int s ? KerasNotes.RandomSeed.FromSeed(s) : KerasNotes.RandomSeed.NextGenerator();
}
