using KerasNotes.Callbacks;
using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace KerasNotes.Tests.Models;

/// <summary>Keras 3 semantics of fit/evaluate/predict beyond the fixtures (spec section 15).</summary>
public sealed class FitSemanticsTests
{
    [Theory]
    [InlineData(10, 0.3, 7)]
    [InlineData(10, 0.7, 3)]
    [InlineData(7, 0.2, 5)]
    [InlineData(50, 0.33, 33)]
    public void Validation_split_holds_out_the_last_rows_before_shuffling(int n, double split, int trainRows)
    {
        // Targets equal to the row index reveal which rows each side saw.
        var x = Tensor.FromArray(Enumerable.Range(0, n * 4).Select(i => (float)(i / 4)).ToArray(), n, 4);
        var y = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1);
        var recorder = new EvaluationRecorder();
        var model = TestModels.Regressor();
        model.Compile(new SGD(0.0), "mse", [new IndexRecorder(recorder)]);
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, validationSplit: split, shuffle: true, callbacks: [recorder]);
        recorder.TrainRows.Order().Should().Equal(Enumerable.Range(0, trainRows).Select(i => (float)i));
        recorder.ValidationRows.Should().Equal(Enumerable.Range(trainRows, n - trainRows).Select(i => (float)i));
    }

    [Fact]
    public void Epoch_loss_is_the_batch_size_weighted_mean_of_batch_losses()
    {
        var (x, labels) = TestModels.Classification(samples: 10);
        var model = TestModels.Classifier(seed: 31);
        model.Compile(new SGD(0.0), "sparse_categorical_crossentropy");
        var batchLosses = new List<double>();
        foreach (var (start, count) in new[] { (0, 4), (4, 4), (8, 2) })
        {
            batchLosses.Add(model.Evaluate(x.SliceRows(start, count), labels[start..(start + count)], batchSize: count)["loss"]);
        }

        var h = model.Fit(x, labels, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        double expected = ((4 * batchLosses[0]) + (4 * batchLosses[1]) + (2 * batchLosses[2])) / 10;
        TensorAssert.Close(expected, h["loss"][0], 1e-6, 1e-5, "epoch loss");
    }

    [Fact]
    public void History_keys_are_in_alphabetical_order_as_Keras_3_reports_them()
    {
        var (x, labels) = TestModels.Classification(samples: 20);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var h = model.Fit(x, labels, epochs: 2, verbose: 0, validationSplit: 0.25);
        h.Keys.Should().Equal("accuracy", "loss", "val_accuracy", "val_loss");
        h.Epochs.Should().Equal(0, 1);
        model.History.Should().BeSameAs(h);
    }

    [Fact]
    public void InitialEpoch_continues_the_epoch_numbering_and_runs_the_remaining_epochs()
    {
        var (x, labels) = TestModels.Classification(samples: 20);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy");
        var h = model.Fit(x, labels, epochs: 5, initialEpoch: 3, verbose: 0);
        h.Epochs.Should().Equal(3, 4);
        model.Fit(x, labels, epochs: 2, initialEpoch: 2, verbose: 0).Epochs.Should().BeEmpty();
    }

    [Fact]
    public void StepsPerEpoch_continues_the_data_pass_across_epochs()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 40).Select(i => (float)(i / 4)).ToArray(), 10, 4);
        var y = Tensor.FromArray(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 10, 1);
        var recorder = new EvaluationRecorder();
        var model = TestModels.Regressor();
        model.Compile(new SGD(0.0), "mse", [new IndexRecorder(recorder)]);
        model.Fit(x, y, batchSize: 4, epochs: 2, stepsPerEpoch: 2, shuffle: false, verbose: 0, callbacks: [recorder]);
        // Epoch 0: rows [0..4) and [4..8); epoch 1 continues with [8..10), then a new pass starts at [0..4).
        recorder.TrainRows.Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3);
    }

    [Fact]
    public void Cancellation_stops_between_batches_and_returns_the_history_so_far()
    {
        var (x, labels) = TestModels.Classification(samples: 40);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy");
        using var cts = new CancellationTokenSource();
        var stopper = new CancelAfterBatches(cts, 3);
        var h = model.Fit(x, labels, batchSize: 4, epochs: 10, verbose: 0, callbacks: [stopper], cancellationToken: cts.Token);
        stopper.Batches.Should().Be(3);
        h.Epochs.Should().Equal(0);
        stopper.TrainEnded.Should().BeTrue();
    }

    [Fact]
    public void StopTraining_set_by_a_callback_ends_the_run_after_the_epoch()
    {
        var (x, labels) = TestModels.Classification(samples: 20);
        var model = TestModels.Classifier();
        model.Compile(new Adam(), "sparse_categorical_crossentropy");
        var h = model.Fit(x, labels, epochs: 10, verbose: 0, callbacks: [new StopAtEpoch(2)]);
        h.Epochs.Should().Equal(0, 1, 2);
    }

    [Fact]
    public void Class_weights_become_sample_weights_with_missing_classes_weighing_one()
    {
        var (x, labels) = TestModels.Classification(samples: 12);
        var model = TestModels.Classifier(seed: 5);
        model.Compile(new SGD(0.0), "sparse_categorical_crossentropy");
        var weights = labels.Select(l => l == 1 ? 3f : 1f).ToArray();
        double withSampleWeights = model.TrainOnBatch(x, labels, sampleWeight: weights)["loss"];
        double withClassWeights = model.TrainOnBatch(x, labels, classWeight: new Dictionary<int, double> { [1] = 3.0 })["loss"];
        TensorAssert.Close(withSampleWeights, withClassWeights, 1e-7, 1e-6, "class weight loss");
    }

    [Fact]
    public void Every_input_form_trains_to_the_same_weights()
    {
        var (x, labels) = TestModels.Classification(samples: 16);
        var rows = x.ToArray2D();
        var jagged = Enumerable.Range(0, 16).Select(i => Enumerable.Range(0, 4).Select(j => rows[i, j]).ToArray()).ToArray();
        var matrix = Matrix<float>.Build.DenseOfArray(rows);
        var oneHot = Ops.OneHot(Tensor.FromLabels(labels), 3);
        IReadOnlyList<Tensor> Train(Action<Sequential> fit)
        {
            var model = TestModels.Classifier(seed: 17);
            model.Compile(new SGD(0.1), "categorical_crossentropy");
            fit(model);
            return model.GetWeights();
        }

        var reference = Train(m => m.Fit(x, oneHot, batchSize: 8, epochs: 2, verbose: 0, shuffle: false));
        var fromArray = Train(m => m.Fit(rows, oneHot.ToArray2D(), batchSize: 8, epochs: 2, verbose: 0, shuffle: false));
        var fromJagged = Train(m => m.Fit(jagged, oneHot, batchSize: 8, epochs: 2, verbose: 0, shuffle: false));
        var fromMatrix = Train(m => m.Fit(matrix, oneHot, batchSize: 8, epochs: 2, verbose: 0, shuffle: false));
        foreach (var other in new[] { fromArray, fromJagged, fromMatrix })
        {
            for (int i = 0; i < reference.Count; i++)
            {
                TensorAssert.BitEqual(reference[i].AsSpan(), other[i].AsSpan(), $"weight {i}");
            }
        }

        var sparse = TestModels.Classifier(seed: 17);
        sparse.Compile(new SGD(0.1), "sparse_categorical_crossentropy");
        sparse.Fit(x, labels, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        var sw = sparse.GetWeights();
        for (int i = 0; i < reference.Count; i++)
        {
            TensorAssert.Close(reference[i], sw[i], 1e-6, 1e-5, $"int[] labels weight {i}");
        }
    }

    [Fact]
    public void A_data_sequence_trains_exactly_like_the_same_batches_in_memory()
    {
        var (x, labels) = TestModels.Classification(samples: 24);
        var y = Tensor.FromLabels(labels);
        var viaArrays = TestModels.Classifier(seed: 23);
        viaArrays.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var h1 = viaArrays.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        var viaSequence = TestModels.Classifier(seed: 23);
        viaSequence.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var sequence = new ArraySequence(x, y, 8);
        var h2 = viaSequence.Fit(sequence, epochs: 2, verbose: 0, validationData: sequence);
        h2["loss"].Should().Equal(h1["loss"]);
        sequence.EpochsEnded.Should().Be(2);
        var w1 = viaArrays.GetWeights();
        var w2 = viaSequence.GetWeights();
        for (int i = 0; i < w1.Count; i++)
        {
            TensorAssert.BitEqual(w1[i].AsSpan(), w2[i].AsSpan(), $"weight {i}");
        }

        viaSequence.Evaluate(sequence)["loss"].Should().Be(h2["val_loss"][1]);
    }

    [Fact]
    public void Predict_joins_batches_and_equals_one_big_batch()
    {
        var (x, _) = TestModels.Classification(samples: 37);
        var model = TestModels.Classifier(seed: 8, batchNorm: true, dropout: true);
        var batched = model.Predict(x, batchSize: 5);
        var whole = model.PredictOnBatch(x);
        batched.Shape.Should().Be(new Shape(37, 3));
        TensorAssert.Close(whole, batched, 1e-7, 1e-6, "predictions");
    }

    [Fact]
    public void Evaluate_returns_loss_then_metrics_computed_in_inference_mode()
    {
        var (x, labels) = TestModels.Classification(samples: 30);
        var model = TestModels.Classifier(seed: 12, dropout: true);
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        var scores = model.Evaluate(x, labels);
        scores.Keys.Should().Equal("loss", "accuracy");
        model.Evaluate(x, labels)["loss"].Should().Be(scores["loss"]);
        model.MetricsNames.Should().Equal("loss", "accuracy");
    }

    [Fact]
    public void Accuracy_resolves_to_binary_sparse_or_categorical_from_the_shapes()
    {
        var x = GradientCheck.Random(3, -1f, 1f, 6, 4);
        var binary = new Sequential(new Input(4), new Dense(1, activation: "sigmoid"));
        binary.Compile("sgd", "binary_crossentropy", ["acc"]);
        binary.Evaluate(x, new float[] { 1, 0, 1, 0, 1, 0 }).Keys.Should().Contain("acc");
        var categorical = new Sequential(new Input(4), new Dense(3, activation: "softmax"));
        categorical.Compile("sgd", "categorical_crossentropy", ["accuracy"]);
        double acc = categorical.Evaluate(x, Ops.OneHot(Tensor.FromLabels([0, 1, 2, 0, 1, 2]), 3))["accuracy"];
        acc.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Summary_prints_the_Keras_table_with_shapes_and_parameter_counts()
    {
        var model = new Sequential(new Input(784), new Dense(256, activation: "relu", name: "hidden"), new BatchNormalization(name: "bn"), new Dense(10, name: "out"));
        using var writer = new StringWriter();
        model.Summary(writer);
        string text = writer.ToString();
        text.Should().Contain("hidden (Dense)").And.Contain("(None, 256)").And.Contain("200,960");
        text.Should().Contain("bn (BatchNormalization)").And.Contain("1,024");
        text.Should().Contain("Total params: 204,554").And.Contain("Trainable params: 204,042").And.Contain("Non-trainable params: 512");
    }

    [Fact]
    public void A_model_without_an_Input_builds_from_the_first_batch()
    {
        var (x, labels) = TestModels.Classification(samples: 12);
        var model = new Sequential(new Dense(5, activation: "relu"), new Dense(3, activation: "softmax"));
        model.Built.Should().BeFalse();
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(x, labels, verbose: 0);
        model.Built.Should().BeTrue();
        model.Weights.Should().HaveCount(4);
    }

    private sealed class ArraySequence(Tensor x, Tensor y, int batchSize) : IDataSequence
    {
        public int EpochsEnded { get; private set; }

        public int Count => (x.Shape[0] + batchSize - 1) / batchSize;

        public DataBatch GetBatch(int index)
        {
            int start = index * batchSize;
            int count = Math.Min(batchSize, x.Shape[0] - start);
            return new DataBatch(x.SliceRows(start, count), y.SliceRows(start, count));
        }

        public void OnEpochEnd() => EpochsEnded++;
    }

    private sealed class EvaluationRecorder : Callback
    {
        public List<float> TrainRows { get; } = [];

        public List<float> ValidationRows { get; } = [];

        public bool Testing { get; private set; }

        public override void OnTestBegin(IDictionary<string, double>? logs = null) => Testing = true;

        public override void OnTestEnd(IDictionary<string, double>? logs = null) => Testing = false;
    }

    /// <summary>A "metric" that records the targets (the row indices) of the samples each step sees.</summary>
    private sealed class IndexRecorder(EvaluationRecorder recorder) : KerasNotes.Metrics.Metric("rows")
    {
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
            (recorder.Testing ? recorder.ValidationRows : recorder.TrainRows).AddRange(yTrue.ToArray());

        public override double Result() => 0;

        public override void ResetState()
        {
        }
    }

    private sealed class CancelAfterBatches(CancellationTokenSource cts, int batches) : Callback
    {
        public int Batches { get; private set; }

        public bool TrainEnded { get; private set; }

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null)
        {
            if (++Batches == batches)
            {
                cts.Cancel();
            }
        }

        public override void OnTrainEnd(IDictionary<string, double>? logs = null) => TrainEnded = true;
    }

    private sealed class StopAtEpoch(int epoch) : Callback
    {
        public override void OnEpochEnd(int e, IDictionary<string, double>? logs = null)
        {
            if (e == epoch)
            {
                Model!.StopTraining = true;
            }
        }
    }
}
