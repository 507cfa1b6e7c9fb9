namespace KerasNotes;

/// <summary>The built-in optimizer update rules an <see cref="UpdatePlan"/> can run, with the slots each reads in order.</summary>
internal enum UpdateRuleKind
{
    /// <summary>w ← w − g·lr; no slot.</summary>
    Sgd,

    /// <summary>m ← m·μ − g·lr; w ← w + m. Slot: momentum.</summary>
    SgdMomentum,

    /// <summary>m ← m·μ − g·lr; w ← w + m·μ − g·lr. Slot: momentum.</summary>
    SgdNesterov,

    /// <summary>Keras 3's Adam. Slots: momentum, velocity.</summary>
    Adam,

    /// <summary>Adam with a running maximum of the velocity. Slots: momentum, velocity, velocity_hat.</summary>
    AmsGrad,

    /// <summary>RMSprop. Slot: velocity.</summary>
    RmsProp,

    /// <summary>RMSprop with momentum. Slots: velocity, momentum.</summary>
    RmsPropMomentum,

    /// <summary>Centered RMSprop. Slots: velocity, average_gradient.</summary>
    RmsPropCentered,

    /// <summary>Centered RMSprop with momentum. Slots: velocity, momentum, average_gradient.</summary>
    RmsPropCenteredMomentum,

    /// <summary>Adagrad. Slot: accumulator.</summary>
    Adagrad,
}

/// <summary>
/// A built-in optimizer's update rule for one step, as data: which rule and its float32 scalars. Built on the
/// calling thread before the step (so it already holds what depends on the iteration, such as Adam's α); the kernels
/// read it and never call back into the optimizer.
/// </summary>
internal readonly record struct UpdateRule
{
    private UpdateRule(UpdateRuleKind kind, float learningRate)
    {
        Kind = kind;
        LearningRate = learningRate;
    }

    /// <summary>Which rule.</summary>
    public UpdateRuleKind Kind { get; }

    /// <summary>The learning rate of this step (also the factor of decoupled weight decay).</summary>
    public float LearningRate { get; }

    /// <summary>SGD's or RMSprop's momentum factor μ.</summary>
    public float Momentum { get; private init; }

    /// <summary>RMSprop's decay ρ.</summary>
    public float Rho { get; private init; }

    /// <summary>RMSprop's 1 − ρ, rounded to float32 from the double hyperparameter.</summary>
    public float OneMinusRho { get; private init; }

    /// <summary>Adam's 1 − β1, rounded to float32 from the double hyperparameter.</summary>
    public float OneMinusBeta1 { get; private init; }

    /// <summary>Adam's 1 − β2, rounded to float32 from the double hyperparameter.</summary>
    public float OneMinusBeta2 { get; private init; }

    /// <summary>Adam's bias-corrected step size α = lr·sqrt(1 − β2ᵗ) / (1 − β1ᵗ).</summary>
    public float Alpha { get; private init; }

    /// <summary>The ε of Adam, RMSprop and Adagrad.</summary>
    public float Epsilon { get; private init; }

    /// <summary>Plain SGD.</summary>
    public static UpdateRule Sgd(float learningRate) => new(UpdateRuleKind.Sgd, learningRate);

    /// <summary>SGD with momentum, Nesterov's or not.</summary>
    public static UpdateRule SgdMomentum(float learningRate, float momentum, bool nesterov) =>
        new(nesterov ? UpdateRuleKind.SgdNesterov : UpdateRuleKind.SgdMomentum, learningRate) { Momentum = momentum };

    /// <summary>Adam or AMSGrad, with α already computed for this step.</summary>
    public static UpdateRule Adam(float learningRate, float oneMinusBeta1, float oneMinusBeta2, float alpha, float epsilon, bool amsgrad) =>
        new(amsgrad ? UpdateRuleKind.AmsGrad : UpdateRuleKind.Adam, learningRate)
        {
            OneMinusBeta1 = oneMinusBeta1,
            OneMinusBeta2 = oneMinusBeta2,
            Alpha = alpha,
            Epsilon = epsilon,
        };

    /// <summary>RMSprop; a momentum slot when <paramref name="withMomentum"/>, an average-gradient slot when <paramref name="centered"/>.</summary>
    public static UpdateRule RmsProp(
        float learningRate, float rho, float oneMinusRho, float momentum, float epsilon, bool withMomentum, bool centered) =>
        new((centered, withMomentum) switch
        {
            (false, false) => UpdateRuleKind.RmsProp,
            (false, true) => UpdateRuleKind.RmsPropMomentum,
            (true, false) => UpdateRuleKind.RmsPropCentered,
            (true, true) => UpdateRuleKind.RmsPropCenteredMomentum,
        }, learningRate)
        {
            Rho = rho,
            OneMinusRho = oneMinusRho,
            Momentum = momentum,
            Epsilon = epsilon,
        };

    /// <summary>Adagrad.</summary>
    public static UpdateRule Adagrad(float learningRate, float epsilon) =>
        new(UpdateRuleKind.Adagrad, learningRate) { Epsilon = epsilon };
}
