namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// <c>lr(step) = initial · rate^(step / decaySteps)</c>, with the exponent floored when <c>staircase</c>
/// (Keras <c>ExponentialDecay</c>; float32 arithmetic as Keras).
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive decaySteps, or a negative rate or initial rate.</exception>
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false)
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
}
