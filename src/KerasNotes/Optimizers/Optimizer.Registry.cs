using KerasNotes.Serialization;

namespace KerasNotes.Optimizers;

/// <content>The table of optimizer classes, and the settings every optimizer's saved config holds.</content>
public abstract partial class Optimizer : IRegistered<Optimizer>
{
    /// <summary>
    /// Every optimizer class that can be found by name (<c>"adam"</c>, any case, as Keras) or rebuilt from a saved
    /// config. Each built-in adds itself from its own file.
    /// </summary>
    internal static Registry<Optimizer> Table { get; } = new("optimizer", "keras.optimizers", StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    static Registry<Optimizer> IRegistered<Optimizer>.Registry => Table;

    /// <summary>Creates an optimizer from the settings of a saved config (a built-in's <c>FromConfig</c>).</summary>
    private protected Optimizer(Settings settings)
        : this(settings.Name, settings.WeightDecay, settings.ClipNorm, settings.ClipValue, settings.GlobalClipNorm)
    {
        if (settings.Schedule is not null)
        {
            Schedule = settings.Schedule;
        }
        else
        {
            HyperparameterChecks.NonNegative(settings.LearningRate, GetType().Name, "learningRate");
            _learningRate = (float)settings.LearningRate;
        }
    }

    /// <summary>The keys of Keras's base optimizer config (<c>learning_rate</c> as a number or a schedule, decay, clipping, name).</summary>
    private protected readonly record struct Settings(
        double LearningRate, LearningRateSchedule? Schedule, double? WeightDecay, double? ClipNorm, double? ClipValue, double? GlobalClipNorm, string Name)
    {
        /// <summary>
        /// Reads the base keys, with the optimizer's own defaults for the absent ones; refuses the features a
        /// model would silently train differently without (EMA, gradient accumulation, loss scaling).
        /// </summary>
        public static Settings Read(ObjectConfig config, double defaultLearningRate, string defaultName, double? defaultWeightDecay = null)
        {
            ArgumentNullException.ThrowIfNull(config);
            if (config.GetBoolean("use_ema"))
            {
                throw config.Fail("use_ema", "optimizers with use_ema=true are not supported yet.");
            }

            if (config.Contains("gradient_accumulation_steps") && config.GetJson("gradient_accumulation_steps") != "null")
            {
                throw config.Fail("gradient_accumulation_steps", "gradient accumulation is not supported yet.");
            }

            if (config.Contains("loss_scale_factor") && config.GetJson("loss_scale_factor") != "null")
            {
                throw config.Fail("loss_scale_factor", "loss scaling is not supported yet.");
            }

            // Keras 2 wrote "lr".
            string lrKey = config.Contains("learning_rate") ? "learning_rate" : "lr";
            var schedule = config[lrKey].IsObject ? config.GetObject<LearningRateSchedule>(lrKey) : null;
            return new Settings(
                schedule is null ? config.GetDouble(lrKey, defaultLearningRate) : defaultLearningRate,
                schedule,
                config.GetNullableDouble("weight_decay") ?? defaultWeightDecay,
                config.GetNullableDouble("clipnorm"),
                config.GetNullableDouble("clipvalue"),
                config.GetNullableDouble("global_clipnorm"),
                config.Name ?? defaultName);
        }
    }
}
