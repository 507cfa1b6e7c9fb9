using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>An optimizer driven by a learning-rate schedule is saved as Keras's serialized schedule and loaded back (the archive stores its members uncompressed, so config.json shows in the raw bytes).</summary>
public sealed class ScheduleRoundTripTests
{
    public static TheoryData<string> Schedules => new() { "ExponentialDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "PiecewiseConstantDecay" };

    private static LearningRateSchedule Make(string name) => name switch
    {
        "ExponentialDecay" => new ExponentialDecay(0.05, 7, 0.5, staircase: true),
        "InverseTimeDecay" => new InverseTimeDecay(0.05, 7, 0.5),
        "PolynomialDecay" => new PolynomialDecay(0.05, 20, 0.001, power: 2, cycle: true),
        "CosineDecay" => new CosineDecay(0.01, 20, alpha: 0.1, warmupTarget: 0.05, warmupSteps: 3),
        _ => new PiecewiseConstantDecay([3, 9], [0.05, 0.02, 0.01]),
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void A_schedule_driven_optimizer_survives_save_and_load_and_training_continues_identically(string name)
    {
        using var temp = SavingTestSupport.Temp();
        var (x, y) = SavingTestSupport.SmallData();
        Sequential Build() => new(new Input(x.Shape[1]), new Dense(5, activation: "tanh", kernelInitializer: new KerasNotes.Initializers.GlorotUniform(1)), new Dense(1, kernelInitializer: new KerasNotes.Initializers.GlorotUniform(2)));
        var model = Build();
        model.Compile(new SGD(Make(name), momentum: 0.5), "mse");
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        string path = temp.File("m.keras");
        model.Save(path);
        File.ReadAllText(path, System.Text.Encoding.Latin1).Should().Contain($"\"class_name\": \"{name}\"");

        var loaded = Model.Load(path);
        loaded.Optimizer!.Schedule.Should().BeOfType(Make(name).GetType());
        loaded.Optimizer.Iterations.Should().Be(model.Optimizer!.Iterations);
        loaded.Optimizer.LearningRate.Should().Be(model.Optimizer.LearningRate);

        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        SavingTestSupport.AssertSameWeights(model, loaded);
    }
}
