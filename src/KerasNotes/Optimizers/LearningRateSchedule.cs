using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <summary>
/// A learning rate that depends on the optimizer's step count (Keras
/// <c>keras.optimizers.schedules.LearningRateSchedule</c>). Pass one as an optimizer's learning rate.
/// </summary>
public abstract class LearningRateSchedule : IRegistered<LearningRateSchedule>
{
    /// <summary>Every schedule class that can be rebuilt from a saved config; each adds itself from its own file.</summary>
    internal static Registry<LearningRateSchedule> Table { get; } = new("learning-rate schedule", "keras.optimizers.schedules");

    /// <inheritdoc />
    static Registry<LearningRateSchedule> IRegistered<LearningRateSchedule>.Registry => Table;

    /// <summary>The learning rate at step <paramref name="step"/> (0-based optimizer iterations).</summary>
    public abstract double Call(long step);

    /// <summary>The configuration Keras writes for this schedule.</summary>
    public abstract IDictionary<string, object?> GetConfig();
}
