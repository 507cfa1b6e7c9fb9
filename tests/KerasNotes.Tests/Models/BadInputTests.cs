using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

/// <summary>
/// Every bad input gets a typed exception whose message names the argument, the value and what was expected,
/// thrown before any state changes: the model's weights (and BatchNorm statistics) are exactly as before.
/// </summary>
public sealed class BadInputTests
{
    private static (Sequential Model, IReadOnlyList<Tensor> Before) Compiled()
    {
        var model = TestModels.Classifier(seed: 21, batchNorm: true, dropout: true);
        model.Compile(new Adam(), "sparse_categorical_crossentropy", ["accuracy"]);
        return (model, model.GetWeights());
    }

    private static void WeightsUnchanged(Model model, IReadOnlyList<Tensor> before)
    {
        var after = model.GetWeights();
        for (int i = 0; i < before.Count; i++)
        {
            TensorAssert.BitEqual(before[i].AsSpan(), after[i].AsSpan(), $"weight {i}");
        }
    }

    [Fact]
    public void Fit_with_inputs_of_the_wrong_width_names_x_and_both_shapes()
    {
        var (model, before) = Compiled();
        var x = GradientCheck.Random(1, -1f, 1f, 10, 5);
        var act = () => model.Fit(x, new int[10], verbose: 0);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "x" && e.Message.Contains("[None, 4]") && e.Message.Contains("[10, 5]"));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Fit_with_inputs_of_the_wrong_rank_names_x_and_both_shapes()
    {
        var (model, before) = Compiled();
        var x = GradientCheck.Random(1, -1f, 1f, 10, 2, 2);
        var act = () => model.Fit(x, new int[10], verbose: 0);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "x" && e.Message.Contains("[10, 2, 2]"));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void A_Dense_layer_called_on_the_wrong_width_names_itself_the_expected_width_and_the_shape()
    {
        var dense = new Dense(3, name: "dense_probe");
        dense.Apply(Tensor.Zeros(2, 784));
        var act = () => dense.Apply(Tensor.Zeros(32, 28, 28));
        act.Should().Throw<ArgumentException>().WithMessage("Dense 'dense_probe' expects inputs with last dimension 784, got [32, 28, 28].*");
    }

    [Fact]
    public void Fit_with_fewer_labels_than_samples_names_y_and_both_counts()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 20);
        var act = () => model.Fit(x, labels[..19], verbose: 0);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "y" && e.Message.Contains("20 samples") && e.Message.Contains("19"));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Fit_with_a_label_outside_the_classes_names_y_the_label_and_the_range_before_any_step()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 20);
        labels[17] = 3;
        var act = () => model.Fit(x, labels, verbose: 0, batchSize: 4);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "y" && e.Message.Contains("label 3") && e.Message.Contains("[0, 3)"));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Fit_with_NaN_in_the_inputs_is_rejected_naming_the_sample()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 20);
        var values = x.ToArray();
        values[(7 * 4) + 2] = float.NaN;
        var act = () => model.Fit(Tensor.FromArray(values, 20, 4), labels, verbose: 0);
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "x" && e.Message.Contains("NaN") && e.Message.Contains("sample 7"));
        WeightsUnchanged(model, before);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Dropout_rate_outside_zero_to_one_is_rejected_naming_rate_and_value(double rate)
    {
        var act = () => new Dropout(rate);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "rate" && e.Message.Contains("[0, 1)"));
    }

    [Fact]
    public void Negative_batch_size_is_rejected_naming_batchSize()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 20);
        var act = () => model.Fit(x, labels, batchSize: -4, verbose: 0);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "batchSize" && Equals(e.ActualValue, -4));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Negative_epochs_is_rejected_naming_epochs()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 20);
        var act = () => model.Fit(x, labels, epochs: -1, verbose: 0);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "epochs" && Equals(e.ActualValue, -1));
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Unknown_loss_name_is_rejected_naming_it_and_the_model_keeps_its_compile_state()
    {
        var model = TestModels.Classifier(seed: 2);
        var act = () => model.Compile(new Adam(), "mean_squared_eror");
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("'mean_squared_eror'") && e.Message.Contains("mean_squared_error"));
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void Unknown_optimizer_name_is_rejected_naming_it()
    {
        var model = TestModels.Classifier(seed: 2);
        var act = () => model.Compile("adamm", "mse");
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("'adamm'") && e.Message.Contains("\"adam\""));
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void Unknown_metric_name_is_rejected_naming_it()
    {
        var model = TestModels.Classifier(seed: 2);
        var act = () => model.Compile("adam", "mse", ["acuracy"]);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("'acuracy'") && e.Message.Contains("accuracy"));
        model.IsCompiled.Should().BeFalse();
    }

    [Fact]
    public void Fit_before_Compile_says_to_compile_first()
    {
        var model = TestModels.Classifier(seed: 2);
        var (x, labels) = TestModels.Classification(samples: 8);
        var act = () => model.Fit(x, labels, verbose: 0);
        act.Should().Throw<InvalidOperationException>().WithMessage("*must be compiled before Fit*Compile(*");
    }

    [Fact]
    public void Validation_split_that_leaves_no_training_rows_is_rejected()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 3);
        var act = () => model.Fit(x, labels, validationSplit: 0.9, verbose: 0);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "validationSplit");
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Class_weight_and_sample_weight_together_are_rejected_as_in_Keras_3()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification(samples: 8);
        var act = () => model.Fit(x, labels, classWeight: new Dictionary<int, double> { [0] = 2 }, sampleWeight: new float[8], verbose: 0);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "classWeight");
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void SetWeights_with_a_wrong_shape_names_the_weight_and_changes_nothing()
    {
        var (model, before) = Compiled();
        var bad = model.GetWeights().ToArray();
        bad[^1] = Tensor.Zeros(4);
        var act = () => model.SetWeights(bad);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("[3]") && e.Message.Contains("[4]"));
        WeightsUnchanged(model, before);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e39)]
    public void Fit_with_a_class_weight_that_is_not_a_finite_float32_names_the_class_and_value(double bad)
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification();
        var weights = new Dictionary<int, double> { [0] = 1.0, [2] = bad };
        var act = () => model.Fit(x, labels, verbose: 0, classWeight: weights);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "classWeight" && e.Message.Contains("classWeight[2]") && e.Message.Contains("finite"));
        var onBatch = () => model.TrainOnBatch(x, labels, classWeight: weights);
        onBatch.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "classWeight");
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Fit_Evaluate_and_Predict_on_empty_data_are_refused_instead_of_reporting_loss_zero()
    {
        var (model, before) = Compiled();
        var empty = Tensor.Zeros(0, 4);
        var fit = () => model.Fit(empty, Array.Empty<int>(), verbose: 0);
        fit.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x" && e.Message.Contains("no samples") && e.Message.Contains("[0, 4]"));
        var evaluate = () => model.Evaluate(empty, Array.Empty<int>());
        evaluate.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x" && e.Message.Contains("Evaluate"));
        var predict = () => model.Predict(empty);
        predict.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x" && e.Message.Contains("Predict"));
        var predictOnBatch = () => model.PredictOnBatch(empty);
        predictOnBatch.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        var trainOnBatch = () => model.TrainOnBatch(empty, Array.Empty<int>());
        trainOnBatch.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        var testOnBatch = () => model.TestOnBatch(empty, Array.Empty<int>());
        testOnBatch.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Fit_with_empty_validation_data_is_refused_so_a_checkpoint_never_saves_loss_zero_as_best()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification();
        var act = () => model.Fit(x, labels, verbose: 0, validationData: (Tensor.Zeros(0, 4), Tensor.Zeros(0)));
        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "validationData.X" && e.Message.Contains("no samples"));
        WeightsUnchanged(model, before);
    }

    private sealed class EmptySequence(int count, int rows) : KerasNotes.Data.IDataSequence
    {
        public int Count => count;

        public KerasNotes.Data.DataBatch GetBatch(int index) => new(Tensor.Zeros(rows, 4), Tensor.Zeros(rows));
    }

    [Fact]
    public void Data_sequences_with_no_batches_or_an_empty_batch_are_refused()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification();
        var noBatches = () => model.Evaluate(new EmptySequence(0, 4));
        noBatches.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data");
        var emptyBatch = () => model.Fit(new EmptySequence(2, 0), verbose: 0);
        emptyBatch.Should().Throw<ArgumentException>().Where(e => e.ParamName == "batch.X" && e.Message.Contains("no samples"));
        var emptyValidation = () => model.Fit(new EmptySequence(2, 4), verbose: 0, validationData: new EmptySequence(0, 4));
        emptyValidation.Should().Throw<ArgumentException>().Where(e => e.ParamName == "validationData");
        _ = (x, labels);
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Flatten_of_a_shape_whose_product_overflows_int_is_refused_instead_of_wrapping_around()
    {
        var model = new Sequential(new Input(65537, 65537));
        var act = () => model.Add(new Flatten(name: "flatten_huge"));
        act.Should().Throw<ArgumentException>()
            .Where(e => e.Message.Contains("Flatten 'flatten_huge'") && e.Message.Contains("[None, 65537, 65537]"));
        model.Layers.Should().BeEmpty();
    }

    [Fact]
    public void Dense_with_more_units_than_a_weight_can_hold_names_the_layer_and_units()
    {
        var act = () => new Dense(int.MaxValue, name: "dense_huge");
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "units" && e.Message.Contains("Dense 'dense_huge'") && e.Message.Contains(int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Dense_whose_kernel_would_overflow_is_refused_when_built_naming_the_layer_units_and_input_shape()
    {
        var model = new Sequential(new Input(784));
        var act = () => model.Add(new Dense(100_000_000, name: "dense_wide"));
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "units" && e.Message.Contains("Dense 'dense_wide'") && e.Message.Contains("[None, 784]"));
        model.Layers.Should().BeEmpty();
    }

    [Fact]
    public void A_Fit_cancelled_before_an_epoch_logs_no_epoch_so_no_checkpoint_takes_loss_zero_for_the_best()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var history = model.Fit(x, labels, epochs: 3, verbose: 0, cancellationToken: cancelled.Token);
        history.Epochs.Should().BeEmpty();
        WeightsUnchanged(model, before);

        using var afterFirst = new CancellationTokenSource();
        var stopper = new KerasNotes.Callbacks.LambdaCallback(onEpochEnd: (_, _) => afterFirst.Cancel());
        var second = model.Fit(x, labels, epochs: 3, verbose: 0, callbacks: [stopper], cancellationToken: afterFirst.Token);
        second.Epochs.Should().Equal(0);
        second["loss"].Should().OnlyContain(l => l > 0);
    }

    private sealed class NullBatches : KerasNotes.Data.IDataSequence
    {
        public int Count => 2;

        public KerasNotes.Data.DataBatch GetBatch(int index) => new(null!, Tensor.Zeros(2));
    }

    [Fact]
    public void A_data_sequence_batch_without_inputs_is_refused_with_ArgumentException_not_a_null_reference()
    {
        var (model, before) = Compiled();
        var fit = () => model.Fit(new NullBatches(), verbose: 0);
        fit.Should().Throw<ArgumentException>().Where(e => e.ParamName == "batch.X" && e.Message.Contains("no X"));
        var evaluate = () => model.Evaluate(new NullBatches());
        evaluate.Should().Throw<ArgumentException>().Where(e => e.ParamName == "batch.X");
        WeightsUnchanged(model, before);
    }

    [Fact]
    public void Tensor_factories_refuse_shapes_too_large_or_unknown_naming_the_shape()
    {
        var huge = () => Tensor.Zeros(65537, 65537);
        huge.Should().Throw<ArgumentException>().Where(e => e.ParamName == "shape" && e.Message.Contains("[65537, 65537]"));
        var unknown = () => Tensor.Zeros(-1);
        unknown.Should().Throw<ArgumentException>().Where(e => e.ParamName == "shape" && e.Message.Contains("unknown"));
        var ones = () => Tensor.Ones(65537, 65537);
        ones.Should().Throw<ArgumentException>().Where(e => e.ParamName == "shape");
        var fromArray = () => Tensor.FromArray(new float[4], 65537, 65537);
        fromArray.Should().Throw<ArgumentException>().Where(e => e.ParamName == "shape");
    }

    [Fact]
    public void Reshape_to_dimensions_whose_product_wraps_around_is_refused()
    {
        var act = () => Ops.Reshape(Tensor.Zeros(0, 5), 65536, 65536, 65536, 65536);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "shape");
        Ops.Reshape(Tensor.Zeros(0, 5), 65536, 65536, 0).Shape.Should().Be(new Shape(65536, 65536, 0));
    }

    [Fact]
    public void A_weight_larger_than_an_array_names_the_layer_and_the_weight()
    {
        var model = new Sequential(new Input(int.MaxValue));
        var act = () => model.Add(new BatchNormalization(name: "bn_huge"));
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("'bn_huge'") && e.Message.Contains("gamma"));
        model.Layers.Should().BeEmpty();
    }

    private sealed class Passthrough : Layer
    {
        protected override Tensor Call(Tensor inputs, bool training) => inputs;
    }

    [Fact]
    public void A_custom_layer_on_inputs_too_large_to_probe_names_itself_and_the_shape()
    {
        var model = new Sequential(new Input(65537, 65537));
        var act = () => model.Add(new Passthrough());
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("passthrough") && e.Message.Contains("65537"));
    }

    [Fact]
    public void Sample_weights_with_more_than_one_weight_per_sample_are_refused_naming_sampleWeight()
    {
        var (model, before) = Compiled();
        var (x, labels) = TestModels.Classification();
        var fit = () => model.Fit(x, labels, verbose: 0, sampleWeight: Tensor.Ones(60, 3));
        fit.Should().Throw<ArgumentException>().Where(e => e.ParamName == "sampleWeight" && e.Message.Contains("[60, 3]"));
        var evaluate = () => model.Evaluate(x, labels, sampleWeight: Tensor.Ones(60, 3));
        evaluate.Should().Throw<ArgumentException>().Where(e => e.ParamName == "sampleWeight");
        var onBatch = () => model.TrainOnBatch(x, labels, sampleWeight: Tensor.Ones(60, 3));
        onBatch.Should().Throw<ArgumentException>().Where(e => e.ParamName == "sampleWeight");
        WeightsUnchanged(model, before);
        model.Fit(x, labels, verbose: 0, sampleWeight: Tensor.Ones(60, 1));
    }

    [Fact]
    public void Flatten_refuses_a_scalar()
    {
        var act = () => new Flatten().Apply(Tensor.Scalar(3f));
        act.Should().Throw<ArgumentException>().WithMessage("*needs inputs with a batch axis*");
    }

    [Fact]
    public void A_jagged_array_whose_first_row_is_null_says_so()
    {
        var act = () => Tensor.FromArray(new float[][] { null!, [1f, 2f] });
        act.Should().Throw<ArgumentException>().WithMessage("Row 0 of 'rows' is null*");
    }
}
