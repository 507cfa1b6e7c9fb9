namespace KerasNotes.Optimizers;

/// <summary>
/// Adam (Keras <c>keras.optimizers.Adam</c>), with Keras 3's epsilon placement:
/// <c>w ← w − α·m / (sqrt(v) + ε)</c> where <c>α = lr·sqrt(1 − β2ᵗ) / (1 − β1ᵗ)</c>.
/// </summary>
/// <remarks>
/// ε is added to the uncorrected <c>sqrt(v)</c> (PyTorch adds it after bias correction), which
/// matters for tiny gradients. A <c>weightDecay</c> here is decoupled, as everywhere in Keras 3.
/// </remarks>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Default 0.001.</param>
    /// <param name="beta1">Decay of the first moment, default 0.9.</param>
    /// <param name="beta2">Decay of the second moment, default 0.999.</param>
    /// <param name="epsilon">Default 1e-7.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (a running maximum of v).</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-tensor gradient norm clip, or null.</param>
    /// <param name="clipValue">Element-wise gradient clip, or null.</param>
    /// <param name="globalClipNorm">Global gradient norm clip, or null.</param>
    /// <param name="name">The name.</param>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adam")
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(beta1, beta2, epsilon, amsgrad);

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public Adam(LearningRateSchedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adam")
        : base(learningRate, name, weightDecay, clipNorm, clipValue, globalClipNorm) => Init(beta1, beta2, epsilon, amsgrad);

    private void Init(double beta1, double beta2, double epsilon, bool amsgrad)
    {
        string owner = GetType().Name;
        HyperparameterChecks.Fraction(beta1, owner, nameof(beta1), oneAllowed: false);
        HyperparameterChecks.Fraction(beta2, owner, nameof(beta2), oneAllowed: false);
        HyperparameterChecks.NonNegative(epsilon, owner, nameof(epsilon));

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; private set; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; private set; }

    /// <summary>The epsilon.</summary>
    public double Epsilon { get; private set; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool Amsgrad { get; private set; }

    /// <inheritdoc />
    protected override int SlotsPerVariable => Amsgrad ? 3 : 2;

    /// <inheritdoc />
    protected override void CreateSlots(Variable variable)
    {
        AddSlot(variable, "momentum");
        AddSlot(variable, "velocity");
        if (Amsgrad)
        {
            AddSlot(variable, "velocity_hat");
        }
    }

    /// <inheritdoc />
    protected override void UpdateStep(ReadOnlySpan<float> gradient, Span<float> variable, float learningRate, int index, int offset) =>
        ApplyRule(Rule(learningRate), gradient, variable, index, offset);

    /// <inheritdoc />
    internal override UpdateRule? BuiltInRule(float learningRate) => Rule(learningRate);

    private UpdateRule Rule(float learningRate)
    {
        // Keras computes these in the variable dtype (float32).
        float t = Iterations + 1;
        float beta1Power = MathF.Pow((float)Beta1, t);
        float beta2Power = MathF.Pow((float)Beta2, t);
        float alpha = learningRate * MathF.Sqrt(1f - beta2Power) / (1f - beta1Power);
        return UpdateRule.Adam(learningRate, (float)(1.0 - Beta1), (float)(1.0 - Beta2), alpha, (float)Epsilon, Amsgrad);
    }

    /// <inheritdoc />
    public override IDictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["beta_1"] = Beta1;
        config["beta_2"] = Beta2;
        config["epsilon"] = Epsilon;
        config["amsgrad"] = Amsgrad;
        return config;
    }
}

/// <summary>
/// AdamW: Adam with decoupled weight decay on by default (Keras default 0.004; PyTorch's is 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="weightDecay"/> is null (Keras raises too).</exception>
    public AdamW(double learningRate = 0.001, double? weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adamw")
        : base(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay ?? throw new ArgumentNullException(nameof(weightDecay), "AdamW needs a weightDecay."), clipNorm, clipValue, globalClipNorm, name)
    {
    }

    /// <summary>Creates the optimizer with a learning-rate schedule.</summary>
    public AdamW(LearningRateSchedule learningRate, double? weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adamw")
        : base(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay ?? throw new ArgumentNullException(nameof(weightDecay), "AdamW needs a weightDecay."), clipNorm, clipValue, globalClipNorm, name)
    {
    }
}
