using KerasNotes.Serialization;

namespace KerasNotes.Optimizers.Schedules;

/// <summary>
/// Cosine decay with optional linear warmup (Keras <c>CosineDecay</c>): without warmup,
/// <c>lr = initial · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)</c>; with
/// <c>warmupTarget</c>, the rate first rises linearly from <c>initial</c> to <c>warmupTarget</c> over
/// <c>warmupSteps</c>, then decays from <c>warmupTarget</c>.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    private const double DefaultAlpha = 0.0;
    private const int DefaultWarmupSteps = 0;

    /// <summary>Creates the schedule.</summary>
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha = DefaultAlpha, double? warmupTarget = null, long warmupSteps = DefaultWarmupSteps)
    {
        HyperparameterChecks.NonNegative(initialLearningRate, nameof(CosineDecay), nameof(initialLearningRate));
        HyperparameterChecks.Steps(decaySteps, nameof(CosineDecay), nameof(decaySteps));
        HyperparameterChecks.Fraction(alpha, nameof(CosineDecay), nameof(alpha), oneAllowed: true);
        HyperparameterChecks.NonNegativeOrNull(warmupTarget, nameof(CosineDecay), nameof(warmupTarget));
        HyperparameterChecks.Steps(warmupSteps, nameof(CosineDecay), nameof(warmupSteps), zeroAllowed: true);

        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        Alpha = alpha;
        WarmupTarget = warmupTarget;
        WarmupSteps = warmupSteps;
    }

    /// <summary>The starting rate.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Steps of the decay.</summary>
    public long DecaySteps { get; }

    /// <summary>The final fraction of the rate.</summary>
    public double Alpha { get; }

    /// <summary>The rate reached at the end of warmup, or null for no warmup.</summary>
    public double? WarmupTarget { get; }

    /// <summary>Warmup steps.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc />
    public override double Call(long step)
    {
        float initial = (float)InitialLearningRate;
        float decaySteps = DecaySteps;
        float globalStep = step;
        if (WarmupTarget is not double target)
        {
            globalStep = MathF.Min(globalStep, decaySteps);
            return Decay(globalStep, decaySteps, initial);
        }

        float warmupTarget = (float)target;
        float warmupSteps = WarmupSteps;
        globalStep = MathF.Min(globalStep, decaySteps + warmupSteps);
        if (globalStep < warmupSteps)
        {
            float completed = globalStep / warmupSteps;
            return ((warmupTarget - initial) * completed) + initial;
        }

        return Decay(globalStep - warmupSteps, decaySteps, warmupTarget);
    }

    private float Decay(float step, float decaySteps, float from)
    {
        float completed = step / decaySteps;
        float cosine = 0.5f * (1f + MathF.Cos(MathF.PI * completed));
        float decayed = ((1f - (float)Alpha) * cosine) + (float)Alpha;
        return from * decayed;
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["initial_learning_rate"] = InitialLearningRate,
        ["decay_steps"] = DecaySteps,
        ["alpha"] = Alpha,
        ["name"] = "CosineDecay",
        ["warmup_target"] = WarmupTarget,
        ["warmup_steps"] = WarmupSteps,
    };

    /// <summary>Rebuilds the schedule from its saved config (Keras <c>from_config</c>).</summary>
    /// <exception cref="ArgumentException">A value is out of range (file loaders report a <c>ModelFormatException</c>).</exception>
    public static CosineDecay FromConfig(ObjectConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CosineDecay(config.RequireDouble("initial_learning_rate"), config.RequireInt32("decay_steps"), config.GetDouble("alpha", DefaultAlpha), config.GetNullableDouble("warmup_target"), config.GetInt32("warmup_steps", DefaultWarmupSteps));
    }

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddClass("CosineDecay", FromConfig);
}
