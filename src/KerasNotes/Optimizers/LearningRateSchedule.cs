namespace KerasNotes.Optimizers;

/// <summary>
/// A learning rate that depends on the optimizer's step count (Keras
/// <c>keras.optimizers.schedules.LearningRateSchedule</c>). Pass one as an optimizer's learning rate.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate at step <paramref name="step"/> (0-based optimizer iterations).</summary>
    public abstract double Call(long step);

    /// <summary>The configuration Keras writes for this schedule.</summary>
    public abstract IDictionary<string, object?> GetConfig();
}
