using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

/// <summary>
/// One model, many threads: inference calls run side by side and give the serial results; a call that would
/// change the model while another thread uses it is refused; a failed call leaves the model usable.
/// </summary>
public sealed class ConcurrentInferenceTests
{
    private const int Threads = 8;

    private static Sequential Mlp(int seed)
    {
        var model = new Sequential(
            new Input(20),
            new Dense(64, activation: "relu", kernelInitializer: new GlorotUniform(seed)),
            new BatchNormalization(),
            new Dropout(0.3, seed: seed),
            new Dense(32, activation: "tanh", kernelInitializer: new GlorotUniform(seed + 1)),
            new Dense(5, activation: "softmax", kernelInitializer: new GlorotUniform(seed + 2)));
        model.Compile(new Adam(1e-2), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    private static int[] Labels(int n)
    {
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (i * 7) % 5;
        }

        return y;
    }

    /// <summary>Runs <paramref name="body"/> on <see cref="Threads"/> threads released together; rethrows the first failure.</summary>
    private static void OnThreads(Action<int> body)
    {
        using var start = new Barrier(Threads);
        var failures = new Exception?[Threads];
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(id);
                }
                catch (Exception e)
                {
                    failures[id] = e;
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                throw new AggregateException("A worker thread failed.", failure);
            }
        }
    }

    [Fact]
    public void Predict_from_eight_threads_equals_serial_results_and_the_model_keeps_working()
    {
        var model = Mlp(3);
        var x = GradientCheck.Random(11, -2f, 2f, 300, 20);
        model.Fit(x, Labels(300), batchSize: 32, epochs: 1, verbose: 0);
        var inputs = new Tensor[Threads];
        var serial = new Tensor[Threads];
        var serialOne = new Tensor[Threads];
        for (int t = 0; t < Threads; t++)
        {
            inputs[t] = GradientCheck.Random(100 + t, -2f, 2f, 1 + (t * 37), 20);
            serial[t] = model.Predict(inputs[t], batchSize: 16);
            serialOne[t] = model.PredictOnBatch(inputs[t].SliceRows(0, 1));
        }

        OnThreads(t =>
        {
            for (int round = 0; round < 40; round++)
            {
                int k = (t + round) % Threads;
                var got = model.Predict(inputs[k], batchSize: 16);
                TensorAssert.BitEqual(serial[k].AsSpan(), got.AsSpan(), $"Predict of input {k} on thread {t}, round {round}");
                var one = model.PredictOnBatch(inputs[k].SliceRows(0, 1));
                TensorAssert.BitEqual(serialOne[k].AsSpan(), one.AsSpan(), $"PredictOnBatch of input {k} on thread {t}, round {round}");
            }
        });

        // Still usable for training and inference afterwards.
        var again = model.Predict(inputs[3], batchSize: 16);
        TensorAssert.BitEqual(serial[3].AsSpan(), again.AsSpan(), "Predict after the threads");
        model.Fit(x, Labels(300), batchSize: 32, epochs: 1, verbose: 0);
        model.Predict(inputs[3]).AsSpan().ToArray().Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Evaluate_and_Predict_from_eight_threads_equal_serial_results()
    {
        var model = Mlp(5);
        var x = GradientCheck.Random(12, -2f, 2f, 200, 20);
        var y = Labels(200);
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        var expectedScores = model.Evaluate(x, y, batchSize: 25);
        var expectedPredictions = model.Predict(x, batchSize: 50);
        OnThreads(t =>
        {
            for (int round = 0; round < 10; round++)
            {
                if ((t + round) % 2 == 0)
                {
                    var scores = model.Evaluate(x, y, batchSize: 25);
                    scores.Should().Equal(expectedScores, $"thread {t}, round {round}");
                }
                else
                {
                    TensorAssert.BitEqual(expectedPredictions.AsSpan(), model.Predict(x, batchSize: 50).AsSpan(), $"thread {t}, round {round}");
                }
            }
        });
    }

    private sealed class ActivityPenalty(float rate) : Layer
    {
        protected override Tensor Call(Tensor inputs, bool training)
        {
            AddLoss(Ops.Multiply(Ops.Sum(Ops.Square(inputs)), rate));
            return inputs;
        }
    }

    [Fact]
    public void Added_losses_of_concurrent_calls_stay_with_their_own_call()
    {
        var model = new Sequential(
            new Input(6),
            new Dense(4, kernelInitializer: new GlorotUniform(2)),
            new ActivityPenalty(0.01f),
            new Dense(1, kernelInitializer: new GlorotUniform(3)));
        model.Compile(new SGD(0.01), "mse");
        var inputs = new Tensor[Threads];
        var targets = new Tensor[Threads];
        var expected = new double[Threads];
        for (int t = 0; t < Threads; t++)
        {
            inputs[t] = GradientCheck.Random(40 + t, -1f, 1f, 8 + t, 6);
            targets[t] = GradientCheck.Random(60 + t, -1f, 1f, 8 + t, 1);
            expected[t] = model.Evaluate(inputs[t], targets[t])["loss"];
        }

        OnThreads(t =>
        {
            for (int round = 0; round < 20; round++)
            {
                // Predict adds penalties too: they must not leak into another thread's Evaluate.
                model.Predict(inputs[(t + 1) % Threads]);
                model.Evaluate(inputs[t], targets[t])["loss"].Should().Be(expected[t], $"thread {t}, round {round}");
            }
        });
    }

    [Fact]
    public void An_unbuilt_model_predicted_from_many_threads_at_once_is_built_once()
    {
        var model = new Sequential(
            new Dense(16, activation: "relu", kernelInitializer: new GlorotUniform(4)),
            new Dense(3, kernelInitializer: new GlorotUniform(5)));
        var x = GradientCheck.Random(13, -1f, 1f, 10, 7);
        var results = new Tensor[Threads];
        OnThreads(t => results[t] = model.Predict(x));
        model.Weights.Should().HaveCount(4, "two Dense layers, each with a kernel and a bias, built once");
        for (int t = 1; t < Threads; t++)
        {
            TensorAssert.BitEqual(results[0].AsSpan(), results[t].AsSpan(), $"thread {t}");
        }
    }

    /// <summary>A layer that holds every inference call until released, so a test can overlap calls on purpose.</summary>
    private sealed class Gate : Layer
    {
        public ManualResetEventSlim Entered { get; } = new(false);

        public ManualResetEventSlim Release { get; } = new(true);

        public bool Throw { get; set; }

        protected override Tensor Call(Tensor inputs, bool training)
        {
            if (Throw)
            {
                throw new InvalidDataException("the gate layer failed on purpose");
            }

            if (!training)
            {
                Entered.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }

            return inputs;
        }
    }

    private static (Sequential Model, Gate Gate) Gated()
    {
        var gate = new Gate();
        var model = new Sequential(new Input(3), new Dense(2, kernelInitializer: new GlorotUniform(1)), gate);
        model.Compile(new SGD(0.1), "mse");
        return (model, gate);
    }

    [Fact]
    public void Fit_while_another_thread_predicts_is_refused_and_the_prediction_completes()
    {
        var (model, gate) = Gated();
        var x = GradientCheck.Random(14, -1f, 1f, 4, 3);
        var before = model.GetWeights();
        var expected = model.Predict(x);
        gate.Entered.Reset();
        gate.Release.Reset();
        Tensor? predicted = null;
        var predictor = new Thread(() => predicted = model.Predict(x));
        predictor.Start();
        gate.Entered.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();

        var fit = () => model.Fit(x, Tensor.Zeros(4, 2), epochs: 1, verbose: 0);
        fit.Should().Throw<InvalidOperationException>().WithMessage("*running Predict, Evaluate or a save*Fit cannot change it*");
        var compile = () => model.Compile(new SGD(0.2), "mse");
        compile.Should().Throw<InvalidOperationException>().WithMessage("*Compile*");

        gate.Release.Set();
        predictor.Join();
        TensorAssert.BitEqual(expected.AsSpan(), predicted!.AsSpan(), "the prediction that ran beside the refused Fit");
        var after = model.GetWeights();
        for (int i = 0; i < before.Count; i++)
        {
            TensorAssert.BitEqual(before[i].AsSpan(), after[i].AsSpan(), $"weight {i} after the refused Fit");
        }

        // Once the prediction is over, training is allowed again.
        model.Fit(x, Tensor.Zeros(4, 2), epochs: 1, verbose: 0);
    }

    [Fact]
    public void Predict_while_another_thread_trains_is_refused_with_InvalidOperationException()
    {
        var (model, _) = Gated();
        var x = GradientCheck.Random(15, -1f, 1f, 64, 3);
        using var inEpoch = new ManualResetEventSlim(false);
        using var resume = new ManualResetEventSlim(false);
        var hold = new KerasNotes.Callbacks.LambdaCallback(onEpochBegin: (_, _) =>
        {
            inEpoch.Set();
            resume.Wait(TimeSpan.FromSeconds(30));
        });
        var trainer = new Thread(() => model.Fit(x, Tensor.Zeros(64, 2), epochs: 1, verbose: 0, callbacks: [hold]));
        trainer.Start();
        inEpoch.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();

        var predict = () => model.Predict(x);
        predict.Should().Throw<InvalidOperationException>().WithMessage("*being trained or changed on another thread*Predict*");
        var evaluate = () => model.Evaluate(x, Tensor.Zeros(64, 2));
        evaluate.Should().Throw<InvalidOperationException>().WithMessage("*Evaluate*");
        var save = () => model.SaveWeights(Path.Combine(Path.GetTempPath(), $"kn-refused-{Guid.NewGuid():N}.weights.h5"));
        save.Should().Throw<InvalidOperationException>().WithMessage("*SaveWeights*");

        resume.Set();
        trainer.Join();
        model.Predict(x).Shape.Should().Be(new Shape(64, 2));
    }

    [Fact]
    public void The_training_thread_may_predict_from_its_own_callback()
    {
        var (model, _) = Gated();
        var x = GradientCheck.Random(16, -1f, 1f, 8, 3);
        Tensor? seen = null;
        var probe = new KerasNotes.Callbacks.LambdaCallback(onEpochEnd: (_, _) => seen = model.Predict(x));
        model.Fit(x, Tensor.Zeros(8, 2), epochs: 1, verbose: 0, callbacks: [probe]);
        seen.Should().NotBeNull();
    }

    [Fact]
    public void A_call_that_fails_midway_leaves_the_model_usable_from_every_thread()
    {
        var (model, gate) = Gated();
        var x = GradientCheck.Random(17, -1f, 1f, 5, 3);
        var expected = model.Predict(x);
        gate.Throw = true;
        OnThreads(_ =>
        {
            var act = () => model.Predict(x);
            act.Should().Throw<InvalidDataException>();
        });
        gate.Throw = false;
        OnThreads(t => TensorAssert.BitEqual(expected.AsSpan(), model.Predict(x).AsSpan(), $"thread {t} after the failures"));
        model.Fit(x, Tensor.Zeros(5, 2), epochs: 1, verbose: 0);
    }

    [Fact]
    public void Gradient_tapes_on_eight_threads_over_the_same_weights_give_the_serial_gradients()
    {
        var w = new Variable(GradientCheck.Random(20, -1f, 1f, 5, 3), name: "w");
        var b = new Variable(GradientCheck.Random(21, -1f, 1f, 3), name: "b");
        var inputs = new Tensor[Threads];
        var expected = new Tensor[Threads][];
        for (int t = 0; t < Threads; t++)
        {
            inputs[t] = GradientCheck.Random(30 + t, -1f, 1f, 4 + t, 5);
            using var tape = new GradientTape();
            var loss = Ops.Mean(Ops.Square(Ops.Add(Ops.MatMul(inputs[t], w), b)));
            expected[t] = tape.Gradient(loss, [w, b]);
        }

        OnThreads(t =>
        {
            for (int round = 0; round < 100; round++)
            {
                using var tape = new GradientTape();
                var loss = Ops.Mean(Ops.Square(Ops.Add(Ops.MatMul(inputs[t], w), b)));
                var grads = tape.Gradient(loss, [w, b]);
                TensorAssert.BitEqual(expected[t][0].AsSpan(), grads[0].AsSpan(), $"dL/dw on thread {t}, round {round}");
                TensorAssert.BitEqual(expected[t][1].AsSpan(), grads[1].AsSpan(), $"dL/db on thread {t}, round {round}");
            }
        });
    }

    [Fact]
    public void A_model_nested_in_another_is_guarded_through_both()
    {
        var gate = new Gate();
        var inner = new Sequential(new Input(3), new Dense(3, kernelInitializer: new GlorotUniform(6)), gate);
        inner.Compile(new SGD(0.1), "mse");
        var outer = new Sequential(new Input(3), inner, new Dense(2, kernelInitializer: new GlorotUniform(7)));
        outer.Compile(new SGD(0.1), "mse");
        var x = GradientCheck.Random(18, -1f, 1f, 4, 3);
        gate.Entered.Reset();
        gate.Release.Reset();
        var predictor = new Thread(() => outer.Predict(x));
        predictor.Start();
        gate.Entered.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var fitInner = () => inner.Fit(x, Tensor.Zeros(4, 3), epochs: 1, verbose: 0);
        fitInner.Should().Throw<InvalidOperationException>().WithMessage($"*{inner.Name}*");
        gate.Release.Set();
        predictor.Join();

        // The other way round: while the outer model trains, its inner model cannot be used elsewhere.
        using var inEpoch = new ManualResetEventSlim(false);
        using var resume = new ManualResetEventSlim(false);
        var hold = new KerasNotes.Callbacks.LambdaCallback(onEpochBegin: (_, _) =>
        {
            inEpoch.Set();
            resume.Wait(TimeSpan.FromSeconds(30));
        });
        var trainer = new Thread(() => outer.Fit(x, Tensor.Zeros(4, 2), epochs: 1, verbose: 0, callbacks: [hold]));
        trainer.Start();
        inEpoch.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var predictInner = () => inner.Predict(x);
        predictInner.Should().Throw<InvalidOperationException>();
        resume.Set();
        trainer.Join();
        inner.Predict(x).Shape.Should().Be(new Shape(4, 3));
    }

    private sealed class FailingBuild : Layer
    {
        public bool Fail { get; set; } = true;

        public override void Build(Shape inputShape)
        {
            AddWeight("first", new Shape(inputShape[-1]));
            if (Fail)
            {
                throw new InvalidDataException("Build failed on purpose after its first weight");
            }

            AddWeight("second", new Shape(inputShape[-1]));
        }

        protected override Tensor Call(Tensor inputs, bool training) => inputs * Weights[0].Value * Weights[1].Value;
    }

    [Fact]
    public void A_Build_that_fails_halfway_leaves_no_weights_and_the_next_call_builds_afresh()
    {
        var layer = new FailingBuild();
        var model = new Sequential(layer);
        var x = GradientCheck.Random(19, -1f, 1f, 2, 4);
        var act = () => model.Predict(x);
        act.Should().Throw<InvalidDataException>();
        layer.Weights.Should().BeEmpty();
        layer.Built.Should().BeFalse();
        layer.Fail = false;
        model.Predict(x).Shape.Should().Be(new Shape(2, 4));
        layer.Weights.Should().HaveCount(2);
    }

    [Fact]
    public void Predicting_batches_of_ever_new_sizes_does_not_keep_a_buffer_for_every_size()
    {
        var model = new Sequential(new Input(64), new Dense(128, activation: "relu"), new Dense(10, activation: "softmax"));
        var x = GradientCheck.Random(22, -1f, 1f, 400, 64);
        for (int rows = 1; rows <= 400; rows++)
        {
            model.PredictOnBatch(x.SliceRows(0, rows));
        }

        // Keeping every size would hold about 400 sizes x (128 + 10) floats x 200 rows on average = 11 million floats;
        // the trimmed arena keeps the sizes of its last few calls.
        model.SpareScratchFloats().Should().BeLessThan(1_000_000);
    }

    [Fact]
    public void Threads_that_first_call_an_unbuilt_model_with_different_shapes_are_each_checked_against_the_build()
    {
        for (int trial = 0; trial < 5; trial++)
        {
            var model = new Sequential(new Flatten(), new Dense(3, kernelInitializer: new GlorotUniform(8)));
            int accepted23 = 0, accepted32 = 0;
            OnThreads(t =>
            {
                try
                {
                    model.Predict(Tensor.Zeros(4, t % 2 == 0 ? 2 : 3, t % 2 == 0 ? 3 : 2));
                    if (t % 2 == 0)
                    {
                        Interlocked.Increment(ref accepted23);
                    }
                    else
                    {
                        Interlocked.Increment(ref accepted32);
                    }
                }
                catch (ArgumentException)
                {
                }
            });
            (accepted23 == 0 || accepted32 == 0).Should().BeTrue($"only the built shape may pass (trial {trial}: {accepted23} and {accepted32} accepted)");
        }
    }
}
