using System.Globalization;
using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Optimizers.Schedules;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Callbacks;

/// <summary>Each callback inside a real Fit, its verbose messages, and its argument checks.</summary>
public sealed class CallbackFitTests
{
    private static (Tensor X, int[] Y) Data() => TestModels.Classification(samples: 40);

    private static Sequential Compiled(double lr = 0.05, int seed = 3)
    {
        var model = TestModels.Classifier(seed: seed);
        model.Compile(new SGD(lr), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [Fact]
    public void EarlyStopping_restores_best_weights_when_patience_runs_out()
    {
        var (x, y) = Data();
        var model = Compiled(lr: 3.0); // a step size that makes validation loss bounce
        var snapshots = new List<IReadOnlyList<Tensor>>();
        var recorder = new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(model.GetWeights()));
        var es = new EarlyStopping(patience: 1, restoreBestWeights: true, verbose: 1) { Output = new StringWriter() };
        var h = model.Fit(x, y, epochs: 30, batchSize: 8, verbose: 0, validationSplit: 0.25, callbacks: [recorder, es]);

        int best = h["val_loss"].Select((v, i) => (v, i)).MinBy(p => p.v).i;
        es.BestEpoch.Should().Be(h.Epochs[best]);
        var restored = model.GetWeights();
        for (int i = 0; i < restored.Count; i++)
        {
            TensorAssert.BitEqual(snapshots[best][i].AsSpan(), restored[i].AsSpan(), $"weight {i}");
        }

        if (es.StoppedEpoch > 0)
        {
            es.Output.ToString().Should().Contain($"Epoch {es.StoppedEpoch + 1}: early stopping");
        }

        es.Output.ToString().Should().Contain($"Restoring model weights from the end of the best epoch: {es.BestEpoch + 1}.");
    }

    [Fact]
    public void EarlyStopping_restores_best_weights_even_when_training_ends_normally()
    {
        var (x, y) = Data();
        var model = Compiled(lr: 3.0);
        var snapshots = new List<IReadOnlyList<Tensor>>();
        var es = new EarlyStopping(monitor: "loss", patience: 100, restoreBestWeights: true);
        var h = model.Fit(x, y, epochs: 6, batchSize: 8, verbose: 0,
            callbacks: [new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(model.GetWeights())), es]);
        h.Epochs.Should().HaveCount(6);
        es.StoppedEpoch.Should().Be(0);
        int best = h["loss"].Select((v, i) => (v, i)).MinBy(p => p.v).i;
        es.RestoredEpoch.Should().Be(best);
        TensorAssert.BitEqual(snapshots[best][0].AsSpan(), model.GetWeights()[0].AsSpan(), "restored kernel");
    }

    [Fact]
    public void A_monitor_that_never_appears_warns_once_and_does_not_stop_training()
    {
        var (x, y) = Data();
        var model = Compiled();
        var output = new StringWriter();
        var es = new EarlyStopping(monitor: "val_loss", patience: 0) { Output = output };
        var h = model.Fit(x, y, epochs: 4, verbose: 0, callbacks: [es]);
        h.Epochs.Should().HaveCount(4);
        var text = output.ToString();
        text.Split("WARNING").Length.Should().Be(2, "the warning is shown once");
        text.Should().Contain("`val_loss` which is not available. Available metrics are: accuracy,loss");
    }

    [Fact]
    public void Auto_mode_on_a_metric_without_direction_raises_as_Keras_does()
    {
        var (x, y) = Data();
        var model = TestModels.Classifier();
        model.Compile(new SGD(0.1), "sparse_categorical_crossentropy", [(KerasNotes.Metrics.MetricFunction)((t, p) => Ops.Mean(p, axis: -1))]);
        var act = () => model.Fit(x, y, epochs: 2, verbose: 0, callbacks: [new EarlyStopping(monitor: "<lambda>")]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*automatically determine*mode*");
    }

    [Fact]
    public void ReduceLROnPlateau_writes_the_rate_into_history_and_reduces_it_on_a_plateau()
    {
        var (x, y) = Data();
        var model = Compiled(lr: 0.0); // no learning: a perfect plateau
        model.Optimizer!.LearningRate = 0.1;
        var output = new StringWriter();
        var rl = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, verbose: 1, minDelta: 10) { Output = output };
        var h = model.Fit(x, y, epochs: 4, verbose: 0, callbacks: [rl]);
        // Epoch 0 sets the best; epoch 1 is the first non-improving one, so the rate drops from epoch 2 on.
        h["learning_rate"].Select(v => (float)v).Should().Equal(0.1f, 0.1f, 0.05f, 0.025f);
        output.ToString().Should().Contain("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.");
    }

    [Fact]
    public void LearningRateScheduler_sets_the_rate_before_each_epoch_with_absolute_epoch_numbers()
    {
        var (x, y) = Data();
        var model = Compiled();
        var seen = new List<int>();
        var output = new StringWriter();
        var scheduler = new LearningRateScheduler((epoch, lr) =>
        {
            seen.Add(epoch);
            return 0.1 / (epoch + 1);
        }, verbose: 1) { Output = output };
        var h = model.Fit(x, y, epochs: 5, initialEpoch: 2, verbose: 0, callbacks: [scheduler]);
        seen.Should().Equal(2, 3, 4);
        h["learning_rate"].Select(v => (float)v).Should().Equal((float)(0.1 / 3), 0.025f, 0.02f);
        output.ToString().Should().Contain("Epoch 3: LearningRateScheduler setting learning rate to 0.03333333333333333.");
    }

    [Fact]
    public void A_schedule_object_drives_the_optimizer_step_by_step()
    {
        var (x, y) = Data();
        var model = TestModels.Classifier();
        var schedule = new ExponentialDecay(0.1, decaySteps: 5, decayRate: 0.5, staircase: true);
        model.Compile(new SGD(schedule), "sparse_categorical_crossentropy");
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        model.Optimizer!.Iterations.Should().Be(10);
        model.Optimizer.LearningRate.Should().Be((float)(0.1 * 0.25));
        var act = () => model.Optimizer.LearningRate = 0.3;
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Schedules_follow_the_Keras_formulas()
    {
        new ExponentialDecay(0.1, 10, 0.5).Call(5).Should().BeApproximately(0.1 * Math.Pow(0.5, 0.5), 1e-8);
        new InverseTimeDecay(0.1, 10, 0.5, staircase: true).Call(25).Should().BeApproximately(0.1 / (1 + (0.5 * 2)), 1e-8);
        new PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]).Call(10).Should().Be(1.0);
        new PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]).Call(11).Should().Be(0.5);
        new PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]).Call(21).Should().BeApproximately(0.1, 1e-8);
        new PolynomialDecay(0.1, 10, 0.01, power: 2).Call(5).Should().BeApproximately(((0.1 - 0.01) * 0.25) + 0.01, 1e-8);
        new PolynomialDecay(0.1, 10, 0.01).Call(50).Should().BeApproximately(0.01, 1e-9);
        new PolynomialDecay(0.1, 10, 0.01, cycle: true).Call(15).Should().BeApproximately(((0.1 - 0.01) * 0.25) + 0.01, 1e-8);
        new CosineDecay(0.1, 10).Call(5).Should().BeApproximately(0.05, 1e-8);
        new CosineDecay(0.1, 10, alpha: 0.1).Call(100).Should().BeApproximately(0.01, 1e-8);
        var warm = new CosineDecay(0.0, 10, warmupTarget: 0.2, warmupSteps: 4);
        warm.Call(2).Should().BeApproximately(0.1, 1e-8);
        warm.Call(4).Should().BeApproximately(0.2, 1e-8);
        warm.Call(9).Should().BeApproximately(0.1, 1e-7);
    }

    [Fact]
    public void Batch_hooks_overridden_in_a_subclass_or_a_subclass_of_it_are_called()
    {
        // Fit skips per-batch logs when no callback overrides a batch hook, so the override must be found for a direct
        // subclass, for the Keras alias OnBatchEnd, and through an intermediate class.
        var (x, y) = Data();
        var model = Compiled();
        var direct = new CountsTrainBatches();
        var alias = new CountsBatchAlias();
        var derived = new DerivedFromCounter();
        var test = new CountsTestBatches();
        model.Fit(x, y, epochs: 2, batchSize: 10, verbose: 0, validationData: (x, Tensor.FromLabels(y)), callbacks: [direct, alias, derived, test]);
        direct.Count.Should().Be(8);
        alias.Count.Should().Be(8);
        derived.Count.Should().Be(8);
        test.Count.Should().Be(8);
    }

    private class CountsTrainBatches : Callback
    {
        public int Count { get; private set; }

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null) => Count++;
    }

    private sealed class DerivedFromCounter : CountsTrainBatches
    {
    }

    private sealed class CountsBatchAlias : Callback
    {
        public int Count { get; private set; }

        public override void OnBatchEnd(int batch, IDictionary<string, double>? logs = null) => Count++;
    }

    private sealed class CountsTestBatches : Callback
    {
        public int Count { get; private set; }

        public override void OnTestBatchEnd(int batch, IDictionary<string, double>? logs = null) => Count++;
    }

    [Fact]
    public void TerminateOnNaN_stops_training_after_the_batch_with_a_bad_loss()
    {
        var (x, y) = Data();
        var model = Compiled(lr: 1e30); // diverges at once
        var output = new StringWriter();
        var batches = 0;
        var h = model.Fit(x, y, epochs: 5, batchSize: 4, verbose: 0,
            callbacks: [new LambdaCallback(onTrainBatchEnd: (_, _) => batches++), new TerminateOnNaN() { Output = output }]);
        h.Epochs.Should().Equal(0);
        batches.Should().BeLessThan(10);
        output.ToString().Should().MatchRegex(@"Batch \d+: Invalid loss, terminating training");
        var raising = Compiled(lr: 1e30);
        var act = () => raising.Fit(x, y, epochs: 5, batchSize: 4, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true)]);
        act.Should().Throw<InvalidOperationException>().WithMessage("NaN or Inf loss encountered at batch *");
    }

    [Fact]
    public void LambdaCallback_hooks_run_in_Keras_order()
    {
        var (x, y) = Data();
        var model = Compiled();
        var events = new List<string>();
        model.Fit(x, y, epochs: 2, batchSize: 20, verbose: 0, validationSplit: 0.5, callbacks:
        [
            new LambdaCallback(
                onTrainBegin: _ => events.Add("train_begin"),
                onEpochBegin: (e, _) => events.Add($"epoch_begin {e}"),
                onTrainBatchBegin: (b, _) => events.Add($"batch_begin {b}"),
                onTrainBatchEnd: (b, _) => events.Add($"batch_end {b}"),
                onTestBegin: _ => events.Add("test_begin"),
                onTestEnd: _ => events.Add("test_end"),
                onEpochEnd: (e, l) => events.Add($"epoch_end {e} {string.Join(",", l!.Keys)}"),
                onTrainEnd: _ => events.Add("train_end")),
        ]);
        events.Should().Equal(
            "train_begin",
            "epoch_begin 0", "batch_begin 0", "batch_end 0", "test_begin", "test_end", "epoch_end 0 accuracy,loss,val_accuracy,val_loss",
            "epoch_begin 1", "batch_begin 0", "batch_end 0", "test_begin", "test_end", "epoch_end 1 accuracy,loss,val_accuracy,val_loss",
            "train_end");
    }

    [Fact]
    public void CSVLogger_writes_Keras_columns_with_python_floats_and_crlf()
    {
        var (x, y) = Data();
        var model = Compiled();
        string path = Path.Combine(Path.GetTempPath(), $"kn-csv-{Guid.NewGuid():N}.csv");
        try
        {
            var h = model.Fit(x, y, epochs: 2, verbose: 0, callbacks: [new CSVLogger(path)]);
            string text = File.ReadAllText(path);
            var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            lines[0].Should().Be("epoch,accuracy,loss,val_accuracy,val_loss");
            lines.Should().HaveCount(3);
            lines[1].Should().Be($"0,{PythonFloat.Repr(h["accuracy"][0])},{PythonFloat.Repr(h["loss"][0])},NA,NA");
            System.Text.RegularExpressions.Regex.IsMatch(text, "[^\r]\n").Should().BeFalse("every line ends with CRLF");

            // Appending keeps the rows and adds no second header.
            model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new CSVLogger(path, append: true)]);
            var appended = File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            appended.Should().HaveCount(4);
            appended.Count(l => l.StartsWith("epoch", StringComparison.Ordinal)).Should().Be(1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0.6931471824645996, "0.6931471824645996")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.0, "1.0")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(0.10000000149011612, "0.10000000149011612")]
    [InlineData(-2.5e-07, "-2.5e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(100.0, "100.0")]
    public void Floats_are_written_as_python_repr(double value, string expected) => PythonFloat.Repr(value).Should().Be(expected);

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void ReduceLROnPlateau_rejects_a_factor_of_one_or_more(double factor)
    {
        var act = () => new ReduceLROnPlateau(factor: factor);
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "factor" && e.Message.Contains(">= 1.0"));
    }

    [Fact]
    public void Negative_patience_is_rejected_by_both_monitor_callbacks()
    {
        ((Action)(() => _ = new EarlyStopping(patience: -1))).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "patience");
        ((Action)(() => _ = new ReduceLROnPlateau(patience: -2))).Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "patience");
    }

    [Fact]
    public void Unknown_mode_is_rejected_naming_the_mode()
    {
        var act = () => new EarlyStopping(mode: "minimum");
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "mode" && e.Message.Contains("\"minimum\""));
    }

    [Fact]
    public void EarlyStopping_instance_can_be_reused_across_fits()
    {
        var (x, y) = Data();
        var model = Compiled();
        var es = new EarlyStopping(monitor: "loss", patience: 0);
        model.Fit(x, y, epochs: 3, verbose: 0, callbacks: [es]);
        var best = es.Best;
        model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [es]);
        es.BestEpoch.Should().Be(0);
        es.Best.Should().NotBe(best);
        _ = CultureInfo.InvariantCulture;
    }
}
