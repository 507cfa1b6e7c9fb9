using KerasNotes.Optimizers;

namespace KerasNotes.Tests.Optimizers;

/// <summary>
/// Optimizer configs carry the keys Keras 3.15 writes, in its order: the base keys of
/// keras/src/optimizers/base_optimizer.py get_config, then each class's own (keras/src/optimizers/sgd.py, adam.py,
/// rmsprop.py, adagrad.py; AdamW has no get_config of its own), as read at keras-team/keras v3.15.1.
/// </summary>
public sealed class OptimizerConfigKeyTests
{
    private static readonly string[] s_base =
    [
        "name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
        "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps",
    ];

    public static TheoryData<string> OptimizerNames => new() { "SGD", "Adam", "AdamW", "RMSprop", "Adagrad" };

    private static (Optimizer Optimizer, string[] Keys) Case(string name) => name switch
    {
        "SGD" => (new SGD(), [.. s_base, "momentum", "nesterov"]),
        "Adam" => (new Adam(), [.. s_base, "beta_1", "beta_2", "epsilon", "amsgrad"]),
        "AdamW" => (new AdamW(), [.. s_base, "beta_1", "beta_2", "epsilon", "amsgrad"]),
        "RMSprop" => (new RMSprop(), [.. s_base, "rho", "momentum", "epsilon", "centered"]),
        "Adagrad" => (new Adagrad(), [.. s_base, "initial_accumulator_value", "epsilon"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Each_optimizer_config_has_the_keys_Keras_3_15_writes_in_Keras_order(string name)
    {
        var (optimizer, keys) = Case(name);
        optimizer.GetConfig().Keys.Should().Equal(keys);
    }
}
