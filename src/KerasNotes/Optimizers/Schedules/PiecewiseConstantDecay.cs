using KerasNotes.Serialization;

namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// A constant rate per step interval (Keras <c>PiecewiseConstantDecay</c>): <c>values[0]</c> while
/// <c>step ≤ boundaries[0]</c>, <c>values[i]</c> while <c>boundaries[i−1] &lt; step ≤ boundaries[i]</c>, the last value after.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly double[] _values;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException">There is not exactly one more value than boundaries, or the boundaries are not increasing.</exception>
    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != boundaries.Count + 1)
        {
            throw new ArgumentException(
                $"PiecewiseConstantDecay needs one more value than boundaries; got {boundaries.Count} boundaries and {values.Count} values.", nameof(values));
        }

        for (int i = 1; i < boundaries.Count; i++)
        {
            if (boundaries[i] <= boundaries[i - 1])
            {
                throw new ArgumentException($"PiecewiseConstantDecay boundaries must increase; [{string.Join(", ", boundaries)}] does not.", nameof(boundaries));
            }
        }

        for (int i = 0; i < values.Count; i++)
        {
            HyperparameterChecks.NonNegative(values[i], nameof(PiecewiseConstantDecay), $"values[{i}]");
        }

        _boundaries = [.. boundaries];
        _values = [.. values];
    }

    /// <summary>The step boundaries.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The rates.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <inheritdoc />
    public override double Call(long step)
    {
        for (int i = 0; i < _boundaries.Length; i++)
        {
            if (step <= _boundaries[i])
            {
                return (float)_values[i];
            }
        }

        return (float)_values[^1];
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["boundaries"] = _boundaries,
        ["values"] = _values,
        ["name"] = "PiecewiseConstant",
    };

    /// <summary>Rebuilds the schedule from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static PiecewiseConstantDecay FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PiecewiseConstantDecay(Array.ConvertAll(config.RequireDoubles("boundaries"), b => b == Math.Floor(b) && Math.Abs(b) < 9e15 ? (long)b : throw config.Fail("boundaries", $"expected whole numbers, found {b}.")), config.RequireDoubles("values"));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("PiecewiseConstantDecay", FromConfig);
}
