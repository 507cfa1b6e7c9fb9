using KerasNotes.Serialization;

namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// <c>lr(step) = initial · rate^(step / decaySteps)</c>, with the exponent floored when <c>staircase</c>
/// (Keras <c>ExponentialDecay</c>; float32 arithmetic as Keras).
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    private const bool DefaultStaircase = false;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive decaySteps, or a negative rate or initial rate.</exception>
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = DefaultStaircase)
    {
        HyperparameterChecks.NonNegative(initialLearningRate, nameof(ExponentialDecay), nameof(initialLearningRate));
        HyperparameterChecks.Steps(decaySteps, nameof(ExponentialDecay), nameof(decaySteps));
        HyperparameterChecks.NonNegative(decayRate, nameof(ExponentialDecay), nameof(decayRate));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <summary>The starting rate.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Steps per decay period.</summary>
    public long DecaySteps { get; }

    /// <summary>The factor per period.</summary>
    public double DecayRate { get; }

    /// <summary>Whether the decay happens in discrete steps.</summary>
    public bool Staircase { get; }

    /// <inheritdoc />
    public override double Call(long step)
    {
        float p = (float)step / (float)DecaySteps;
        if (Staircase)
        {
            p = MathF.Floor(p);
        }

        return (float)InitialLearningRate * MathF.Pow((float)DecayRate, p);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase,
        ["name"] = "ExponentialDecay",
    };

    /// <summary>Rebuilds the schedule from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static ExponentialDecay FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ExponentialDecay(config.RequireDouble("initial_learning_rate"), config.RequireInt32("decay_steps"), config.RequireDouble("decay_rate"), config.GetBoolean("staircase", DefaultStaircase));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("ExponentialDecay", FromConfig);
}
