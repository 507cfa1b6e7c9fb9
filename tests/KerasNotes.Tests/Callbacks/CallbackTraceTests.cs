using System.Text.Json.Nodes;
using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Callbacks;

/// <summary>
/// Every case of callbacks_traces.json: the callbacks are driven by hand with the scripted per-epoch logs (as Fit would
/// call them), and their decisions — learning rate per epoch, stop epoch, best and restored epoch — must match the
/// transcription of Keras 3's callbacks.
/// </summary>
public sealed class CallbackTraceTests
{
    private const string File = "callbacks_traces.json";

    public static TheoryData<string> EarlyStoppingCases => Fixture.CaseNames(File, "early_stopping");

    public static TheoryData<string> ReduceLrCases => Fixture.CaseNames(File, "reduce_lr_on_plateau");

    public static TheoryData<string> SchedulerCases => Fixture.CaseNames(File, "learning_rate_scheduler");

    private static JsonArray Logs => Fixture.Load(File)["logs"]!.AsArray();

    private static Dictionary<string, double> LogsAt(int epoch) =>
        Logs[epoch]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());

    /// <summary>A compiled model whose single weight records the epoch it was set in (to see which epoch is restored).</summary>
    private static Sequential Model(double learningRate)
    {
        var model = new Sequential(new Input(1), new Dense(1, useBias: false));
        model.Compile(new SGD(learningRate), "mse", ["accuracy"]);
        return model;
    }

    private static void MarkEpoch(Model model, int epoch) => model.SetWeights([Tensor.FromArray([(float)epoch], 1, 1)]);

    private static int MarkedEpoch(Model model) => (int)model.GetWeights()[0].Item();

    /// <summary>Runs callbacks through the scripted epochs exactly as Fit orders the hooks; returns (epochs run, lr used per epoch).</summary>
    private static (int EpochsRun, List<double> LrUsed, List<double?> LoggedLr) Drive(Model model, params Callback[] callbacks)
    {
        var list = new CallbackList(callbacks, model, addHistory: false, addProgbar: false,
            new Dictionary<string, object?> { ["verbose"] = 0, ["epochs"] = Logs.Count, ["steps"] = 1 });
        var lrUsed = new List<double>();
        var logged = new List<double?>();
        list.OnTrainBegin();
        int epoch = 0;
        for (; epoch < Logs.Count; epoch++)
        {
            list.OnEpochBegin(epoch);
            lrUsed.Add(model.Optimizer!.LearningRate);
            MarkEpoch(model, epoch);
            var shared = list.OnEpochEnd(epoch, LogsAt(epoch));
            logged.Add(shared.TryGetValue("learning_rate", out double lr) ? lr : null);
            if (model.StopTraining)
            {
                epoch++;
                break;
            }
        }

        list.OnTrainEnd();
        return (epoch, lrUsed, logged);
    }

    [Theory]
    [MemberData(nameof(EarlyStoppingCases))]
    public void EarlyStopping_decisions_match_the_Keras_3_trace(string name)
    {
        var c = Fixture.Case(File, name, "early_stopping");
        var cfg = c["config"]!.AsObject();
        var expected = c["expected"]!;
        var es = new EarlyStopping(
            monitor: cfg["monitor"]!.GetValue<string>(),
            minDelta: cfg["min_delta"]?.GetValue<double>() ?? 0,
            patience: cfg["patience"]?.GetValue<int>() ?? 0,
            mode: cfg["mode"]?.GetValue<string>() ?? "auto",
            baseline: cfg["baseline"]?.GetValue<double>(),
            restoreBestWeights: cfg["restore_best_weights"]?.GetValue<bool>() ?? false,
            startFromEpoch: cfg["start_from_epoch"]?.GetValue<int>() ?? 0);
        var model = Model(0.01);
        var (epochsRun, _, _) = Drive(model, es);

        epochsRun.Should().Be(expected["epochs_run"]!.GetValue<int>());
        es.StoppedEpoch.Should().Be(expected["stopped_epoch"]!.GetValue<int>());
        (es.StoppedEpoch > 0).Should().Be(expected["stopped_early"]!.GetValue<bool>());
        es.Best.Should().BeApproximately(expected["best"]!.GetValue<double>(), 1e-12);
        es.BestEpoch.Should().Be(expected["best_epoch"]!.GetValue<int>());
        var restored = expected["restored_weights_from_epoch"]?.GetValue<int?>();
        es.RestoredEpoch.Should().Be(restored);
        if (restored is int r)
        {
            MarkedEpoch(model).Should().Be(r, "the weights from the end of the best epoch are restored");
        }

        CheckWaitTrace(name, c);
    }

    // Replays the epochs one at a time and compares wait/best after each with the trace.
    private static void CheckWaitTrace(string name, JsonObject c)
    {
        var cfg = c["config"]!.AsObject();
        var es = new EarlyStopping(
            monitor: cfg["monitor"]!.GetValue<string>(),
            minDelta: cfg["min_delta"]?.GetValue<double>() ?? 0,
            patience: cfg["patience"]?.GetValue<int>() ?? 0,
            mode: cfg["mode"]?.GetValue<string>() ?? "auto",
            baseline: cfg["baseline"]?.GetValue<double>(),
            restoreBestWeights: cfg["restore_best_weights"]?.GetValue<bool>() ?? false,
            startFromEpoch: cfg["start_from_epoch"]?.GetValue<int>() ?? 0);
        var model = Model(0.01);
        es.SetModel(model);
        es.OnTrainBegin();
        foreach (var step in c["expected"]!["trace"]!.AsArray())
        {
            int epoch = step!["epoch"]!.GetValue<int>();
            es.OnEpochEnd(epoch, LogsAt(epoch));
            if (step["wait"] is { } wait)
            {
                es.Wait.Should().Be(wait.GetValue<int>(), $"{name} wait after epoch {epoch}");
            }

            if (step["best"] is { } best)
            {
                es.Best.Should().BeApproximately(best.GetValue<double>(), 1e-12, $"{name} best after epoch {epoch}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ReduceLrCases))]
    public void ReduceLROnPlateau_learning_rates_match_the_Keras_3_trace(string name)
    {
        var c = Fixture.Case(File, name, "reduce_lr_on_plateau");
        var cfg = c["config"]!.AsObject();
        var expected = c["expected"]!;
        var rlrop = new ReduceLROnPlateau(
            monitor: cfg["monitor"]!.GetValue<string>(),
            factor: cfg["factor"]?.GetValue<double>() ?? 0.1,
            patience: cfg["patience"]?.GetValue<int>() ?? 10,
            mode: cfg["mode"]?.GetValue<string>() ?? "auto",
            minDelta: cfg["min_delta"]?.GetValue<double>() ?? 1e-4,
            cooldown: cfg["cooldown"]?.GetValue<int>() ?? 0,
            minLr: cfg["min_lr"]?.GetValue<double>() ?? 0);
        var model = Model(c["initial_learning_rate"]!.GetValue<double>());
        var (_, lrUsed, logged) = Drive(model, rlrop);
        var expectedLr = Fixture.ToFloats(expected["lr_used_per_epoch"]!);
        TensorAssert.Close(expectedLr, lrUsed.Select(v => (float)v).ToArray(), 0, 1e-6, $"{name} lr used");
        TensorAssert.Close(expectedLr, logged.Select(v => (float)v!.Value).ToArray(), 0, 1e-6, $"{name} logged learning_rate");
        TensorAssert.Close(expected["lr_after_training"]!.GetValue<double>(), model.Optimizer!.LearningRate, 0, 1e-6, $"{name} final lr");

        // Replay epoch by epoch and compare the counters after each with the trace.
        var replay = new ReduceLROnPlateau(
            monitor: rlrop.Monitor, factor: rlrop.Factor, patience: rlrop.Patience, mode: rlrop.Mode,
            minDelta: rlrop.MinDelta, cooldown: rlrop.Cooldown, minLr: rlrop.MinLr);
        var replayModel = Model(c["initial_learning_rate"]!.GetValue<double>());
        replay.SetModel(replayModel);
        replay.OnTrainBegin();
        foreach (var step in expected["trace"]!.AsArray())
        {
            int epoch = step!["epoch"]!.GetValue<int>();
            replay.OnEpochEnd(epoch, LogsAt(epoch));
            replay.Wait.Should().Be(step["wait"]!.GetValue<int>(), $"{name} wait after epoch {epoch}");
            replay.CooldownCounter.Should().Be(step["cooldown_counter"]!.GetValue<int>(), $"{name} cooldown after epoch {epoch}");
            replay.Best.Should().BeApproximately(step["best"]!.GetValue<double>(), 1e-12, $"{name} best after epoch {epoch}");
            TensorAssert.Close(step["lr_after_epoch_end"]!.GetValue<double>(), replayModel.Optimizer!.LearningRate, 0, 1e-6, $"{name} lr after epoch {epoch}");
        }
    }

    [Theory]
    [MemberData(nameof(SchedulerCases))]
    public void LearningRateScheduler_sets_the_Keras_3_rates(string name)
    {
        var c = Fixture.Case(File, name, "learning_rate_scheduler");
        double initial = c["initial_learning_rate"]!.GetValue<double>();
        Func<int, double, double> schedule = name switch
        {
            "lrs_step_decay_every3" => (epoch, lr) => epoch > 0 && epoch % 3 == 0 ? lr * 0.1 : lr,
            "lrs_step_decay_closed_form" => (epoch, _) => initial * Math.Pow(0.1, epoch / 3),
            "lrs_exponential_after_epoch2" => (epoch, lr) => epoch < 2 ? lr : lr * Math.Exp(-0.1),
            "lrs_exponential_closed_form" => (epoch, _) => initial * Math.Exp(-0.2 * epoch),
            _ => throw new NotSupportedException(name),
        };
        var model = Model(initial);
        var (_, lrUsed, logged) = Drive(model, new LearningRateScheduler(schedule));
        var expected = Fixture.ToFloats(c["expected"]!["lr_used_per_epoch"]!);
        TensorAssert.Close(expected, lrUsed.Select(v => (float)v).ToArray(), 0, 1e-6, $"{name} lr used");
        TensorAssert.Close(expected, logged.Select(v => (float)v!.Value).ToArray(), 0, 1e-6, $"{name} logged learning_rate");
    }

    [Fact]
    public void ReduceLROnPlateau_and_EarlyStopping_together_match_the_combined_trace()
    {
        var combined = Fixture.Load(File)["combined"]!;
        var cfg = combined["config"]!;
        var es = cfg["early_stopping"]!;
        var rl = cfg["reduce_lr"]!;
        var model = Model(cfg["initial_lr"]!.GetValue<double>());
        var early = new EarlyStopping(es["monitor"]!.GetValue<string>(), patience: es["patience"]!.GetValue<int>(), restoreBestWeights: es["restore_best_weights"]!.GetValue<bool>());
        var reduce = new ReduceLROnPlateau(rl["monitor"]!.GetValue<string>(), factor: rl["factor"]!.GetValue<double>(), patience: rl["patience"]!.GetValue<int>(), cooldown: rl["cooldown"]!.GetValue<int>());
        var (epochsRun, lrUsed, _) = Drive(model, reduce, early);
        var expected = combined["expected"]!;
        epochsRun.Should().Be(expected["epochs_run"]!.GetValue<int>());
        early.StoppedEpoch.Should().Be(expected["stopped_epoch"]!.GetValue<int>());
        early.BestEpoch.Should().Be(expected["best_epoch"]!.GetValue<int>());
        MarkedEpoch(model).Should().Be(expected["restored_weights_from_epoch"]!.GetValue<int>());
        TensorAssert.Close(Fixture.ToFloats(expected["lr_used_per_epoch"]!), lrUsed.Select(v => (float)v).ToArray(), 0, 1e-6, "combined lr");
        TensorAssert.Close(expected["lr_after_training"]!.GetValue<double>(), model.Optimizer!.LearningRate, 0, 1e-6, "combined final lr");
    }
}
