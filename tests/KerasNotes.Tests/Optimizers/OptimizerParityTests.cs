using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Optimizers;

/// <summary>Every case of optimizers.json: parameters after each of 5 steps and the final slots (Keras 3 transcription).</summary>
public sealed class OptimizerParityTests
{
    private const string File = "optimizers.json";

    public static TheoryData<string> Cases => Fixture.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Optimizer_steps_match_the_fixture(string name)
    {
        var root = Fixture.Load(File);
        var c = Fixture.Case(File, name);
        var (abs, rel) = Fixture.Tolerance(root["tolerance"]);
        var cfg = c["config"]!.AsObject();
        double? Get(string key) => cfg[key]?.GetValue<double>();
        double lr = Get("learning_rate") ?? 0.001;
        var wd = Get("weight_decay");
        var clipNorm = Get("clipnorm");
        var clipValue = Get("clipvalue");
        var globalClip = Get("global_clipnorm");
        Optimizer optimizer = c["optimizer"]!.GetValue<string>() switch
        {
            "SGD" => new SGD(lr, Get("momentum") ?? 0, cfg["nesterov"]?.GetValue<bool>() ?? false, wd, clipNorm, clipValue, globalClip),
            "Adam" => new Adam(lr, Get("beta_1") ?? 0.9, Get("beta_2") ?? 0.999, Get("epsilon") ?? 1e-7, cfg["amsgrad"]?.GetValue<bool>() ?? false, wd, clipNorm, clipValue, globalClip),
            "AdamW" => new AdamW(lr, wd ?? 0.004, Get("beta_1") ?? 0.9, Get("beta_2") ?? 0.999, Get("epsilon") ?? 1e-7, cfg["amsgrad"]?.GetValue<bool>() ?? false, clipNorm, clipValue, globalClip),
            "RMSprop" => new RMSprop(lr, Get("rho") ?? 0.9, Get("momentum") ?? 0, Get("epsilon") ?? 1e-7, cfg["centered"]?.GetValue<bool>() ?? false, wd, clipNorm, clipValue, globalClip),
            "Adagrad" => new Adagrad(lr, Get("initial_accumulator_value") ?? 0.1, Get("epsilon") ?? 1e-7, wd, clipNorm, clipValue, globalClip),
            var other => throw new NotSupportedException(other),
        };

        var w = new Variable(Fixture.ToTensor(root["initial_params"]!["w"]!), "w");
        var b = new Variable(Fixture.ToTensor(root["initial_params"]!["b"]!), "b");
        var gradients = c["gradients"]!.AsArray();
        var after = c["expected"]!["params_after_step"]!.AsArray();
        for (int step = 0; step < gradients.Count; step++)
        {
            var gw = Fixture.ToTensor(gradients[step]!["w"]!);
            var gb = Fixture.ToTensor(gradients[step]!["b"]!);
            optimizer.ApplyGradients([(gw, w), (gb, b)]);
            TensorAssert.Close(Fixture.ToTensor(after[step]!["w"]!), w.Value, abs, rel, $"{name} w after step {step + 1}");
            TensorAssert.Close(Fixture.ToTensor(after[step]!["b"]!), b.Value, abs, rel, $"{name} b after step {step + 1}");
        }

        var slots = c["expected"]!["slots_after_last_step"]!.AsObject();
        foreach (var (fixtureName, values) in slots)
        {
            // The fixture abbreviates Adam's slots; Keras names them momentum / velocity / velocity_hat.
            string slotName = fixtureName switch { "m" => "momentum", "v" => "velocity", "v_hat" => "velocity_hat", _ => fixtureName };
            var wSlot = optimizer.SlotVariables.Single(v => v.Name == $"w_{slotName}");
            var bSlot = optimizer.SlotVariables.Single(v => v.Name == $"b_{slotName}");
            TensorAssert.Close(Fixture.ToTensor(values!["w"]!), wSlot.Value, abs, rel, $"{name} slot {slotName} w");
            TensorAssert.Close(Fixture.ToTensor(values["b"]!), bSlot.Value, abs, rel, $"{name} slot {slotName} b");
        }

        optimizer.Iterations.Should().Be(gradients.Count);
    }
}
