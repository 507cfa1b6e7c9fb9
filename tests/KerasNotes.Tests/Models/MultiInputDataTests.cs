using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;
using static KerasNotes.Tests.Models.MultiIoSupport;

namespace KerasNotes.Tests.Models;

/// <summary>Fit, Evaluate and Predict with arrays in input/output order or by name, and every refusal before anything changes.</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class MultiInputDataTests
{
    private static readonly string[] s_losses = ["sparse_categorical_crossentropy", "binary_crossentropy"];

    [Fact]
    public void Predict_returns_one_array_per_output_for_inputs_in_order_or_by_name()
    {
        var model = TwoInTwoOut();
        var ordered = model.Predict([Pixels(), Hints()], batchSize: 7);
        var named = model.Predict(new Dictionary<string, ArrayLike> { ["hint"] = Hints(), ["pixels"] = Pixels() });
        ordered.Should().HaveCount(2);
        ordered[0].Shape.Should().Be(new Shape(Samples, 3));
        ordered[1].Shape.Should().Be(new Shape(Samples, 1));
        named[0].ToArray().Should().Equal(ordered[0].ToArray());
        named[1].ToArray().Should().Equal(ordered[1].ToArray());
        var direct = model.ApplyOutputs([Pixels(), Hints()]);
        ordered[1].ToArray().Should().Equal(direct[1].ToArray(), "batching does not change the numbers");
    }

    [Fact]
    public void Predict_of_one_array_on_a_model_with_several_outputs_points_at_the_list_form()
    {
        var model = OneInTwoOut();
        var act = () => model.Predict(Pixels());
        act.Should().Throw<InvalidOperationException>().WithMessage("*2 outputs (dense_1, dense_2)*model.Predict([x])*");
        model.Invoking(m => m.PredictOnBatch(Pixels())).Should().Throw<InvalidOperationException>();
        model.Predict([Pixels()]).Should().HaveCount(2);
    }

    [Fact]
    public void One_array_for_a_model_with_two_inputs_is_refused_naming_the_inputs()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var before = Snapshot(model);
        var act = () => model.Fit(Pixels(), Labels(), verbose: 0);
        act.Should().Throw<ArgumentException>()
            .WithMessage("Layer \"*\" expects 2 named input(s) with keys ['pixels', 'hint'], but it received 1 input tensors. Pass inputs as a dict, e.g. `layer({'pixels': ..., 'hint': ...})`.*")
            .Which.ParamName.Should().Be("x");
        model.Invoking(m => m.Evaluate(Pixels(), Labels())).Should().Throw<ArgumentException>().WithMessage("*expects 2 named input(s)*");
        Snapshot(model).ShouldEqual(before);
    }

    [Fact]
    public void Inputs_by_name_must_name_every_input_and_nothing_else()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var missing = () => model.Evaluate(new Dictionary<string, ArrayLike> { ["pixels"] = Pixels() }, [Labels(), Flags()]);
        missing.Should().Throw<ArgumentException>()
            .WithMessage("Missing data for input \"hint\". You passed a data dictionary with keys ['pixels']. Expected the following keys: ['pixels', 'hint']*");
        var unknown = () => model.Evaluate(
            new Dictionary<string, ArrayLike> { ["pixels"] = Pixels(), ["hint"] = Hints(), ["hints"] = Hints() }, [Labels(), Flags()]);
        unknown.Should().Throw<ArgumentException>().WithMessage("*\"hints\"*not an input*['pixels', 'hint']*");
    }

    [Fact]
    public void Targets_by_name_must_be_output_names_and_cover_every_output_with_a_loss()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var unknown = () => model.Evaluate([Pixels(), Hints()], new Dictionary<string, ArrayLike> { ["dense_1"] = Labels(), ["dense_3"] = Flags() });
        unknown.Should().Throw<ArgumentException>().WithMessage("*\"dense_3\"*not an output*['dense_1', 'dense_2']*").Which.ParamName.Should().Be("y");
        var missing = () => model.Evaluate([Pixels(), Hints()], new Dictionary<string, ArrayLike> { ["dense_1"] = Labels() });
        missing.Should().Throw<ArgumentException>().WithMessage("*no targets for output 'dense_2'*");
        var evaluated = model.Evaluate([Pixels(), Hints()], new Dictionary<string, ArrayLike> { ["dense_2"] = Flags(), ["dense_1"] = Labels() });
        evaluated.Should().Equal(model.Evaluate([Pixels(), Hints()], [Labels(), Flags()]));
    }

    [Fact]
    public void Wrong_counts_are_refused_naming_the_outputs()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var before = Snapshot(model);
        var three = () => model.Fit([Pixels(), Hints()], [Labels(), Flags(), Flags()], verbose: 0);
        three.Should().Throw<ArgumentException>().WithMessage("'y' holds 3 arrays, but model '*' has 2 outputs (dense_1, dense_2)*").Which.ParamName.Should().Be("y");
        var weights = () => model.Fit([Pixels(), Hints()], [Labels(), Flags()], verbose: 0, sampleWeight: [Tensor.Ones(Samples), Tensor.Ones(Samples), Tensor.Ones(Samples)]);
        weights.Should().Throw<ArgumentException>().WithMessage("You should provide one `sample_weight` array per output*").Which.ParamName.Should().Be("sampleWeight");
        var inputs = () => model.Predict([Pixels(), Hints(), Hints()]);
        inputs.Should().Throw<ArgumentException>().WithMessage("*expects 2 named input(s)*received 3 input tensors*");
        Snapshot(model).ShouldEqual(before);
        model.Optimizer!.Iterations.Should().Be(0);
    }

    [Fact]
    public void Arrays_with_different_sample_counts_are_refused_with_Keras_cardinality_message()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var before = Snapshot(model);
        var act = () => model.Fit([Pixels(), Hints()], [Labels(Samples - 1), Flags()], verbose: 0);
        act.Should().Throw<ArgumentException>()
            .WithMessage("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.'x' sizes: 40, 40\n'y' sizes: 39, 40\n*")
            .Which.ParamName.Should().Be("y[0]");
        Snapshot(model).ShouldEqual(before);
    }

    [Fact]
    public void Class_weights_are_refused_for_a_model_with_several_outputs()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var before = Snapshot(model);
        var act = () => model.Fit([Pixels()], [Labels(), Flags()], verbose: 0, classWeight: new Dictionary<int, double> { [0] = 2 });
        act.Should().Throw<ArgumentException>().WithMessage("`class_weight` is only supported for Models with a single output.*").Which.ParamName.Should().Be("classWeight");
        Snapshot(model).ShouldEqual(before);
    }

    [Fact]
    public void A_target_that_does_not_fit_its_output_is_refused_before_the_first_step()
    {
        var model = TwoInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var before = Snapshot(model);
        var act = () => model.Fit([Pixels(), Hints()], [Labels(), GradientCheck.Random(3, 0f, 1f, Samples, 5)], verbose: 0);
        act.Should().Throw<ArgumentException>().WithMessage("*'y[1]'*").Which.ParamName.Should().Be("y[1]");
        var input = () => model.Fit([Pixels(), Pixels()], [Labels(), Flags()], verbose: 0);
        input.Should().Throw<ArgumentException>().WithMessage("*input 'hint' of shape [None, 2], but 'x[1]' has shape [40, 4]*");
        Snapshot(model).ShouldEqual(before);
    }

    [Fact]
    public void A_data_sequence_is_refused_for_a_model_with_several_inputs_or_outputs()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), s_losses);
        var act = () => model.Fit(new OneBatch(), verbose: 0);
        act.Should().Throw<ArgumentException>().WithMessage("*IDataSequence*2 output(s)*Fit([a, b], [y1, y2])*").Which.ParamName.Should().Be("data");
    }

    [Fact]
    public void A_single_output_model_takes_groups_of_one_array_as_it_takes_arrays()
    {
        float[][] Run(bool grouped)
        {
            RandomSeed.Set(4);
            var x = Keras.Input(shape: [4], name: "only");
            var model = new Model(x, new KerasNotes.Layers.Dense(3, activation: "softmax").Apply(x));
            model.Compile(new SGD(0.1), "sparse_categorical_crossentropy", ["accuracy"]);
            if (grouped)
            {
                model.Fit([Pixels()], [Labels()], batchSize: 8, epochs: 2, verbose: 0, validationData: ([Pixels(8)], [Labels(8)]));
            }
            else
            {
                model.Fit(Pixels(), Labels(), batchSize: 8, epochs: 2, verbose: 0, validationData: (Pixels(8), Tensor.FromLabels(Labels(8))));
            }

            return Snapshot(model);
        }

        Run(grouped: true).ShouldEqual(Run(grouped: false));
    }

    [Fact]
    public void Collection_expressions_pick_the_group_overloads_and_single_arrays_keep_the_array_ones()
    {
        var model = OneInTwoOut();
        model.Predict([Pixels()]).Should().BeAssignableTo<IReadOnlyList<Tensor>>();
        RandomSeed.Set(1);
        var x = Keras.Input(shape: [4]);
        var single = new Model(x, new KerasNotes.Layers.Dense(2).Apply(x));
        Tensor one = single.Predict(Pixels());
        one.Shape.Should().Be(new Shape(Samples, 2));
        ArrayGroup fromArrays = new ArrayLike[] { Pixels(), Hints() };
        fromArrays.Count.Should().Be(2);
        ArrayGroup fromDictionary = new Dictionary<string, ArrayLike> { ["a"] = Pixels() };
        fromDictionary.IsByName.Should().BeTrue();
        fromDictionary.Names.Should().Equal("a");
    }

    private sealed class OneBatch : IDataSequence
    {
        public int Count => 1;

        public DataBatch GetBatch(int index) => new(Pixels(4), Tensor.FromLabels(Labels(4)));
    }
}
