using KerasNotes.Serialization;

namespace KerasNotes.Layers;

/// <summary>
/// Gives each sample a new shape (Keras <c>keras.layers.Reshape</c>): <c>[batch, …]</c> → <c>[batch, …targetShape]</c>,
/// row-major, with at most one <c>-1</c> worked out from the sample's size. A view: nothing is copied.
/// </summary>
/// <example><code>new Reshape(28, 28, 1)</code></example>
public sealed class Reshape : Layer
{
    private readonly int[] _target;

    /// <summary>Creates the layer.</summary>
    /// <param name="targetShape">The shape of one sample, without the batch axis; one entry may be -1.</param>
    /// <exception cref="ArgumentException">The shape is empty, has a size below -1 or 0, or more than one -1.</exception>
    public Reshape(params int[] targetShape)
        : this(targetShape, null)
    {
    }

    /// <summary>Creates the layer with a name.</summary>
    /// <exception cref="ArgumentException">The shape is empty, has a size below -1 or 0, or more than one -1.</exception>
    public Reshape(int[] targetShape, string? name)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        int unknown = 0;
        foreach (int d in targetShape)
        {
            if (d == -1)
            {
                unknown++;
            }
            else if (d <= 0)
            {
                throw new ArgumentException($"Reshape '{Name}': targetShape [{string.Join(", ", targetShape)}] has size {d}; expected positive sizes and at most one -1.", nameof(targetShape));
            }
        }

        if (targetShape.Length == 0 || unknown > 1)
        {
            throw new ArgumentException($"Reshape '{Name}': targetShape [{string.Join(", ", targetShape)}] must have at least one axis and at most one -1.", nameof(targetShape));
        }

        // A sample cannot hold more values than a tensor; checked here, the products below cannot wrap (65536^4 wrapped
        // a long to 0, and working out the -1 divided by it).
        long values = 1;
        foreach (int d in targetShape)
        {
            values *= d == -1 ? 1 : d;
            if (values > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"Reshape '{Name}': targetShape [{string.Join(", ", targetShape)}] holds more than {Array.MaxLength} values per sample, more than a tensor can hold.",
                    nameof(targetShape));
            }
        }

        _target = (int[])targetShape.Clone();
    }

    /// <summary>The shape of one sample after the layer (without the batch axis; -1 where worked out).</summary>
    public IReadOnlyList<int> TargetShape => _target;

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        var dims = new int[_target.Length + 1];
        dims[0] = inputShape.Rank > 0 ? inputShape[0] : -1;
        _target.CopyTo(dims, 1);
        long known = 1;
        bool inputKnown = true;
        for (int i = 1; i < inputShape.Rank; i++)
        {
            inputKnown &= inputShape[i] >= 0;
            // An axis of size 0 leaves no values to reshape; past a tensor's size the count saturates (it cannot fit anyway).
            known = Math.Min(known * Math.Max(inputShape[i], 0), (long)Array.MaxLength + 1);
        }

        long product = 1;
        int free = -1;
        for (int i = 1; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                free = i;
            }
            else
            {
                product *= dims[i];
            }
        }

        if (inputKnown)
        {
            if (known > Array.MaxLength || (free >= 0 ? known % product != 0 : known != product))
            {
                throw new ArgumentException(
                    $"Reshape '{Name}': cannot reshape samples of shape {inputShape} ({known} values) to [{string.Join(", ", _target)}].", nameof(inputShape));
            }

            if (free >= 0)
            {
                dims[free] = (int)(known / product);
            }
        }

        return new Shape(dims);
    }

    /// <inheritdoc />
    public override void Build(Shape inputShape)
    {
        _ = ComputeOutputShape(inputShape);
        base.Build(inputShape);
    }

    /// <inheritdoc />
    protected override Tensor Call(Tensor inputs, bool training) => Ops.Reshape(inputs, ComputeOutputShape(inputs.Shape).With(0, inputs.Shape[0]));

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        // Boxed on purpose: the writer turns -1 into null in int lists under "*shape" keys (unknown sizes), but
        // a Reshape's -1 means "work it out" and Keras writes it as -1.
        config["target_shape"] = Array.ConvertAll(_target, d => (object?)d);
        return config;
    }

    /// <inheritdoc />
    internal override LayerPlan? PlanFor(long[] inputShape)
    {
        long known = 1;
        for (int i = 1; i < inputShape.Length; i++)
        {
            known = inputShape[i] > 0 ? checked(known * inputShape[i]) : -1;
            if (known < 0)
            {
                break;
            }
        }

        long product = 1;
        foreach (int d in _target)
        {
            product *= d == -1 ? 1 : d;
        }

        var output = new long[_target.Length + 1];
        output[0] = inputShape.Length > 0 ? inputShape[0] : -1;
        for (int i = 0; i < _target.Length; i++)
        {
            output[i + 1] = _target[i] == -1 ? (known > 0 ? known / product : -1) : _target[i];
        }

        return new LayerPlan(0, output);
    }

    /// <summary>Rebuilds the layer from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">The target shape is not valid (file loaders report a <c>ModelFormatException</c>).</exception>
    public static Reshape FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config["target_shape"];
        if (node.IsNull)
        {
            throw config.Fail("target_shape", "a Reshape layer needs 'target_shape'.");
        }

        var items = node.Items();
        if (items.Count > 32)
        {
            throw node.Fail($"a target shape of rank {items.Count} is beyond the supported 32.");
        }

        int[] target = [.. items.Select(d => d.IsNull ? -1 : d.Int())];
        return new Reshape(target, config.Name);
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("Reshape", FromConfig);
}
