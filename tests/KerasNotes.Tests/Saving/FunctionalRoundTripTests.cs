using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Functional models through .keras and .weights.h5 files: the loaded model has the same graph, weights and outputs,
/// shared layers stay shared, nested models nest both ways, and saving the loaded model writes the same config.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class FunctionalRoundTripTests
{
    /// <summary>A tiny merge layer of the tests' own (a custom layer called on a list): the sum of its inputs.</summary>
    internal sealed class SumLayer(string? name = null) : Layer(name)
    {
        public static CustomObjects Objects => new CustomObjects().AddLayer("SumLayer", c => new SumLayer(c.Name));

        public override void Build(IReadOnlyList<Shape> inputShapes)
        {
        }

        protected override void ValidateInputs(IReadOnlyList<Shape> inputShapes)
        {
        }

        public override Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes) => inputShapes[0];

        protected override Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
        {
            var sum = inputs[0];
            for (int i = 1; i < inputs.Count; i++)
            {
                sum = Ops.Add(sum, inputs[i]);
            }

            return sum;
        }

        protected override Tensor Call(Tensor inputs, bool training) => inputs;
    }

    private static Model Reloaded(Model model, TempFolder temp, CustomObjects? objects = null)
    {
        string path = temp.File($"{model.Name}.keras");
        model.Save(path);
        var loaded = Model.Load(path, objects);
        // Saving what was loaded writes the same config.json.
        PythonJsonOf(loaded).Should().Be(PythonJsonOf(model));
        return loaded;
    }

    private static string PythonJsonOf(Model model) => KerasNotes.Saving.Json.PythonJson.Serialize(KerasNotes.Saving.Json.KerasSerializer.SerializeModel(model));

    private static void SameOutputs(Model expected, Model actual, IReadOnlyList<Tensor> inputs)
    {
        var a = expected.ApplyOutputs(inputs);
        var b = actual.ApplyOutputs(inputs);
        b.Count.Should().Be(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            TensorAssert.BitEqual(a[i].AsSpan(), b[i].AsSpan(), $"output {i}");
        }
    }

    [Fact]
    public void A_two_output_model_comes_back_with_its_heads_weights_and_outputs()
    {
        using var temp = SavingTestSupport.Temp();
        var x = Keras.Input(shape: [5], name: "features_2o");
        var trunk = new Dense(8, activation: "relu", name: "trunk_2o").Apply(x);
        var model = new Model(x, [new Dense(3, activation: "softmax", name: "class_2o").Apply(trunk), new Dense(1, name: "box_2o").Apply(trunk)], name: "two_heads");

        var loaded = Reloaded(model, temp);

        loaded.OutputCount.Should().Be(2);
        loaded.OutputNames.Should().Equal("class_2o", "box_2o");
        loaded.InputNames.Should().Equal("features_2o");
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(3, -1f, 1f, 6, 5)]);
    }

    [Fact]
    public void A_two_input_model_joined_by_a_custom_merge_layer_comes_back_with_its_outputs()
    {
        using var temp = SavingTestSupport.Temp();
        var image = Keras.Input(shape: [6], name: "image_2i");
        var hint = Keras.Input(shape: [2], name: "hint_2i");
        var joined = new SumLayer("sum_2i").Apply([new Dense(4, name: "image_dense_2i").Apply(image), new Dense(4, name: "hint_dense_2i").Apply(hint)]);
        var model = new Model([image, hint], new Dense(3, activation: "softmax", name: "out_2i").Apply(joined), name: "two_inputs");

        var loaded = Reloaded(model, temp, SumLayer.Objects);

        loaded.InputNames.Should().Equal("image_2i", "hint_2i");
        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(4, -1f, 1f, 7, 6), GradientCheck.Random(5, -1f, 1f, 7, 2)]);
    }

    [Fact]
    public void A_residual_block_made_with_a_merge_layer_comes_back_with_its_outputs()
    {
        using var temp = SavingTestSupport.Temp();
        var x = Keras.Input(shape: [4], name: "x_res");
        var h = new Dense(4, activation: "relu", name: "h_res").Apply(x);
        var residual = new SumLayer("skip_res").Apply([x, new Dense(4, name: "f_res").Apply(h)]);
        var model = new Model(x, new Dense(2, name: "out_res").Apply(residual), name: "residual");

        var loaded = Reloaded(model, temp, SumLayer.Objects);

        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(6, -1f, 1f, 5, 4)]);
    }

    [Fact]
    public void A_layer_applied_twice_stays_one_layer_with_one_set_of_weights()
    {
        using var temp = SavingTestSupport.Temp();
        var a = Keras.Input(shape: [3], name: "a_shared");
        var b = Keras.Input(shape: [3], name: "b_shared");
        var shared = new Dense(3, activation: "tanh", name: "shared_rt");
        var model = new Model([a, b], new SumLayer("sum_shared").Apply([shared.Apply(a), shared.Apply(shared.Apply(b))]), name: "shared_model");

        var loaded = Reloaded(model, temp, SumLayer.Objects);

        var again = loaded.Layers.Single(l => l.Name == "shared_rt");
        again.InboundNodes.Should().HaveCount(3);
        loaded.Weights.Should().HaveCount(2);
        SameOutputs(model, loaded, [GradientCheck.Random(7, -1f, 1f, 4, 3), GradientCheck.Random(8, -1f, 1f, 4, 3)]);
    }

    [Fact]
    public void A_Sequential_nested_in_a_functional_model_comes_back_whole()
    {
        using var temp = SavingTestSupport.Temp();
        var seq = new Sequential([new Input(4), new Dense(5, activation: "relu"), new BatchNormalization(), new Dense(6)], name: "seq_nested_rt");
        var x = Keras.Input(shape: [4], name: "x_seq_rt");
        var model = new Model(x, new Dense(2, name: "head_seq_rt").Apply(seq.Apply(x)), name: "with_seq");

        var loaded = Reloaded(model, temp);

        loaded.Layers[1].Should().BeOfType<Sequential>().Which.Layers.Should().HaveCount(3);
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(9, -1f, 1f, 5, 4)]);
    }

    [Fact]
    public void A_functional_model_called_twice_inside_another_comes_back_shared()
    {
        using var temp = SavingTestSupport.Temp();
        var innerIn = Keras.Input(shape: [4], name: "inner_in_rt");
        var inner = new Model(innerIn, new Dense(3, name: "inner_dense_rt").Apply(innerIn), name: "inner_rt");
        var outerIn = Keras.Input(shape: [4], name: "outer_in_rt");
        var sum = new SumLayer("sum_rt").Apply([inner.Apply(outerIn), inner.Apply(outerIn)]);
        var model = new Model(outerIn, new Dense(1, name: "outer_dense_rt").Apply(sum), name: "outer_rt");

        var loaded = Reloaded(model, temp, SumLayer.Objects);

        var nested = loaded.Layers.Single(l => l.Name == "inner_rt").Should().BeOfType<Model>().Which;
        nested.InboundNodes.Should().HaveCount(2);
        loaded.Weights.Should().HaveCount(4);
        SameOutputs(model, loaded, [GradientCheck.Random(10, -1f, 1f, 5, 4)]);
    }

    [Fact]
    public void A_layer_of_a_nested_model_that_the_outer_model_calls_too_comes_back_as_one_object()
    {
        using var temp = SavingTestSupport.Temp();
        var shared = new Dense(4, activation: "tanh", name: "shared_nest");
        var innerIn = Keras.Input(shape: [4], name: "inner_in_nest");
        var inner = new Model(innerIn, new Dense(4, name: "inner_dense_nest").Apply(shared.Apply(innerIn)), name: "inner_nest");
        var x = Keras.Input(shape: [4], name: "x_nest");
        var model = new Model(x, shared.Apply(inner.Apply(x)), name: "outer_nest");

        var config = FunctionalFiles.ConfigOf(model);
        var outerEntry = FunctionalFiles.Layer(config, "shared_nest");
        var innerEntry = FunctionalFiles.Layer(FunctionalFiles.Layer(config, "inner_nest"), "shared_nest");
        innerEntry.Select(p => p.Key).Should().EndWith(["name", "inbound_nodes", "shared_object_id"], "Keras marks the first copy last");
        outerEntry.Select(p => p.Key).Should().EndWith(["shared_object_id", "name", "inbound_nodes"]);
        outerEntry["shared_object_id"]!.GetValue<long>().Should().Be(innerEntry["shared_object_id"]!.GetValue<long>());

        var loaded = Reloaded(model, temp);

        var outerShared = loaded.Layers.Single(l => l.Name == "shared_nest");
        var innerModel = (Model)loaded.Layers.Single(l => l.Name == "inner_nest");
        innerModel.Layers.Single(l => l.Name == "shared_nest").Should().BeSameAs(outerShared);
        loaded.Weights.Should().HaveCount(4);
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(14, -1f, 1f, 5, 4)]);
    }

    [Fact]
    public void A_functional_model_nested_in_a_Sequential_comes_back_whole()
    {
        using var temp = SavingTestSupport.Temp();
        var x = Keras.Input(shape: [4], name: "x_fin_seq");
        var functional = new Model(x, new Dense(3, activation: "relu", name: "d_fin_seq").Apply(x), name: "functional_fin_seq");
        var model = new Sequential([new Input(4), functional, new Dense(2)], name: "seq_with_functional");

        var loaded = Reloaded(model, temp);

        loaded.Should().BeOfType<Sequential>().Which.Layers[0].Should().BeOfType<Model>().Which.Graph.Should().NotBeNull();
        SavingTestSupport.AssertSameWeights(model, loaded);
        var data = GradientCheck.Random(11, -1f, 1f, 5, 4);
        TensorAssert.BitEqual(model.Predict(data).AsSpan(), loaded.Predict(data).AsSpan(), "predictions");
    }

    [Fact]
    public void SaveWeights_and_LoadWeights_move_the_weights_of_a_functional_model_with_nested_models()
    {
        using var temp = SavingTestSupport.Temp();
        Model Build(int seed)
        {
            RandomSeed.Set(seed);
            var seq = new Sequential([new Input(4), new Dense(5, name: "seq_dense_w")], name: "seq_w");
            var innerIn = Keras.Input(shape: [5], name: "inner_in_w");
            var inner = new Model(innerIn, new Dense(3, name: "inner_dense_w").Apply(innerIn), name: "inner_w");
            var x = Keras.Input(shape: [4], name: "x_w");
            return new Model(x, new Dense(1, name: "out_w").Apply(inner.Apply(seq.Apply(x))), name: "model_w");
        }

        var source = Build(1);
        source.SaveWeights(temp.File("m.weights.h5"));
        var target = Build(2);

        target.LoadWeights(temp.File("m.weights.h5"));

        SavingTestSupport.AssertSameWeights(source, target);
        H5Listing.Of(File.ReadAllBytes(temp.File("m.weights.h5"))).Should().Equal(
            "layers/",
            "layers/dense/",
            "layers/dense/vars/ {name: out_w}",
            "layers/dense/vars/0 (3, 1)",
            "layers/dense/vars/1 (1,)",
            "layers/functional/",
            "layers/functional/layers/",
            "layers/functional/layers/dense/",
            "layers/functional/layers/dense/vars/ {name: inner_dense_w}",
            "layers/functional/layers/dense/vars/0 (5, 3)",
            "layers/functional/layers/dense/vars/1 (3,)",
            "layers/functional/layers/input_layer/",
            "layers/functional/layers/input_layer/vars/ {name: inner_in_w}",
            "layers/functional/vars/ {name: inner_w}",
            "layers/input_layer/",
            "layers/input_layer/vars/ {name: x_w}",
            "layers/sequential/",
            "layers/sequential/layers/",
            "layers/sequential/layers/dense/",
            "layers/sequential/layers/dense/vars/ {name: seq_dense_w}",
            "layers/sequential/layers/dense/vars/0 (4, 5)",
            "layers/sequential/layers/dense/vars/1 (5,)",
            "layers/sequential/vars/ {name: seq_w}",
            "vars/ {name: model_w}");
    }

    [Fact]
    public void A_two_input_model_joined_by_Concatenate_comes_back_with_its_outputs()
    {
        using var temp = SavingTestSupport.Temp();
        var image = Keras.Input(shape: [6], name: "image_cat");
        var hint = Keras.Input(shape: [2], name: "hint_cat");
        var joined = new Concatenate(name: "cat_cat").Apply([new Dense(4, activation: "relu", name: "image_dense_cat").Apply(image), hint]);
        var model = new Model([image, hint], [new Dense(3, activation: "softmax", name: "class_cat").Apply(joined), new Dense(1, activation: "sigmoid", name: "flag_cat").Apply(joined)], name: "two_in_two_out");

        var loaded = Reloaded(model, temp);

        loaded.InputNames.Should().Equal("image_cat", "hint_cat");
        loaded.OutputNames.Should().Equal("class_cat", "flag_cat");
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded, [GradientCheck.Random(12, -1f, 1f, 6, 6), GradientCheck.Random(13, -1f, 1f, 6, 2)]);
    }
}
