namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// <c>lr(step) = (initial − end) · (1 − step/decaySteps)^power + end</c>, held at <c>end</c> after <c>decaySteps</c>,
/// or restarting with a longer period when <c>cycle</c> (Keras <c>PolynomialDecay</c>).
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate = 0.0001, double power = 1.0, bool cycle = false)
    {
        HyperparameterChecks.NonNegative(initialLearningRate, nameof(PolynomialDecay), nameof(initialLearningRate));
        HyperparameterChecks.Steps(decaySteps, nameof(PolynomialDecay), nameof(decaySteps));
        HyperparameterChecks.NonNegative(endLearningRate, nameof(PolynomialDecay), nameof(endLearningRate));
        HyperparameterChecks.Finite(power, nameof(PolynomialDecay), nameof(power));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        EndLearningRate = endLearningRate;
        Power = power;
        Cycle = cycle;
    }

    /// <summary>The starting rate.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Steps of one decay.</summary>
    public long DecaySteps { get; }

    /// <summary>The final rate.</summary>
    public double EndLearningRate { get; }

    /// <summary>The polynomial power.</summary>
    public double Power { get; }

    /// <summary>Whether the decay restarts.</summary>
    public bool Cycle { get; }

    /// <inheritdoc />
    public override double Call(long step)
    {
        float globalStep = step;
        float decaySteps = DecaySteps;
        if (Cycle)
        {
            float multiplier = step == 0 ? 1f : MathF.Ceiling(globalStep / decaySteps);
            decaySteps *= multiplier;
        }
        else
        {
            globalStep = MathF.Min(globalStep, decaySteps);
        }

        float p = globalStep / decaySteps;
        float initial = (float)InitialLearningRate, end = (float)EndLearningRate;
        return ((initial - end) * MathF.Pow(1f - p, (float)Power)) + end;
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["end_learning_rate"] = EndLearningRate,
        ["power"] = Power,
        ["cycle"] = Cycle,
        ["name"] = "PolynomialDecay",
    };
}
