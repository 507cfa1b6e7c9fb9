using KerasNotes.Serialization;

namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// <c>lr(step) = (initial − end) · (1 − step/decaySteps)^power + end</c>, held at <c>end</c> after <c>decaySteps</c>,
/// or restarting with a longer period when <c>cycle</c> (Keras <c>PolynomialDecay</c>).
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    private const double DefaultEndLearningRate = 0.0001;
    private const double DefaultPower = 1.0;
    private const bool DefaultCycle = false;

    /// <summary>Creates the schedule.</summary>
    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate = DefaultEndLearningRate, double power = DefaultPower, bool cycle = DefaultCycle)
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

    /// <summary>Rebuilds the schedule from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static PolynomialDecay FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PolynomialDecay(config.RequireDouble("initial_learning_rate"), config.RequireInt32("decay_steps"), config.GetDouble("end_learning_rate", DefaultEndLearningRate), config.GetDouble("power", DefaultPower), config.GetBoolean("cycle", DefaultCycle));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("PolynomialDecay", FromConfig);
}
