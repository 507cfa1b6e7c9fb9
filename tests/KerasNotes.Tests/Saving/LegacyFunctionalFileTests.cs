using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Functional models in the older forms: Keras 2 / tf.keras legacy .h5 (<c>model_config</c> with
/// <c>[[layer, node, tensor, kwargs]]</c> calls, weights by position under <c>model_weights</c>) and TensorFlow.js
/// <c>model.json</c> (the same topology, class <c>Model</c>, weights by name), with tf.keras's rule that a nested model
/// with its own input counts its calls from 1.
/// </summary>
public sealed class LegacyFunctionalFileTests
{
    /// <summary>
    /// Two inputs, a shared layer, a nested Sequential, a nested functional model called twice, a merge layer,
    /// BatchNormalization (non-trainable weights), two outputs.
    /// </summary>
    private static Model Everything(string tag)
    {
        var a = Keras.Input(shape: [4], name: $"a_{tag}");
        var b = Keras.Input(shape: [4], name: $"b_{tag}");
        var shared = new Dense(4, activation: "tanh", name: $"shared_{tag}");
        var seq = new Sequential([new Input(4), new Dense(5, activation: "relu", name: $"seq_dense_{tag}"), new BatchNormalization(name: $"seq_bn_{tag}")], name: $"seq_{tag}");
        var innerIn = Keras.Input(shape: [5], name: $"inner_in_{tag}");
        var inner = new Model(innerIn, new Dense(3, name: $"inner_dense_{tag}").Apply(innerIn), name: $"inner_{tag}");
        var left = inner.Apply(seq.Apply(shared.Apply(a)));
        var right = inner.Apply(seq.Apply(shared.Apply(b)));
        var sum = new Add(name: $"add_{tag}").Apply([left, right]);
        return new Model([a, b], [new Dense(2, name: $"out1_{tag}").Apply(sum), new Dense(1, name: $"out2_{tag}").Apply(left)], name: $"everything_{tag}");
    }

    private static void SameOutputs(Model expected, Model actual)
    {
        Tensor[] inputs = [GradientCheck.Random(21, -1f, 1f, 5, 4), GradientCheck.Random(22, -1f, 1f, 5, 4)];
        var e = expected.ApplyOutputs(inputs);
        var g = actual.ApplyOutputs(inputs);
        g.Count.Should().Be(e.Count);
        for (int i = 0; i < e.Count; i++)
        {
            TensorAssert.BitEqual(e[i].AsSpan(), g[i].AsSpan(), $"output {i}");
        }
    }

    private static void Randomize(Model model)
    {
        // Moving statistics away from 0 and 1, so a swapped weight would show.
        int seed = 30;
        foreach (var w in model.Weights)
        {
            w.Assign(GradientCheck.Random(seed++, 0.1f, 0.9f, [.. w.Shape.Dims]));
        }
    }

    [Fact]
    public void The_Keras_2_topology_numbers_a_nested_models_calls_from_1_and_lists_single_inputs()
    {
        var model = Everything("k2topo");
        var config = Keras2Topology.Of(model)["config"]!;

        var add = config["layers"]!.AsArray().First(l => l!["name"]!.GetValue<string>() == "add_k2topo")!;
        add["inbound_nodes"]!.ToJsonString().Should().Be("""[[["inner_k2topo",1,0,{}],["inner_k2topo",2,0,{}]]]""");
        var seq = config["layers"]!.AsArray().First(l => l!["name"]!.GetValue<string>() == "seq_k2topo")!;
        seq["inbound_nodes"]!.ToJsonString().Should().Be("""[[["shared_k2topo",0,0,{}]],[["shared_k2topo",1,0,{}]]]""");
        config["output_layers"]!.ToJsonString().Should().Be("""[["out1_k2topo",0,0],["out2_k2topo",0,0]]""");
    }

    [Theory]
    [InlineData("Functional")]
    [InlineData("Model")]
    public void A_Keras_2_legacy_h5_of_a_functional_model_loads_with_its_graph_and_weights(string className)
    {
        using var temp = SavingTestSupport.Temp();
        var model = Everything("k2_" + className);
        Randomize(model);
        LegacyH5Writer.Write(model, temp.File("m.h5"), Keras2Topology.Of(model, functionalClass: className));

        var loaded = Model.Load(temp.File("m.h5"));

        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        loaded.InputNames.Should().Equal(model.InputNames);
        loaded.OutputNames.Should().Equal(model.OutputNames);
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded);
    }

    [Fact]
    public void Legacy_weights_load_into_a_functional_model_built_in_code_by_position()
    {
        using var temp = SavingTestSupport.Temp();
        var model = Everything("k2w");
        Randomize(model);
        LegacyH5Writer.Write(model, temp.File("m.h5"));
        var target = Everything("k2w_target");

        target.LoadWeights(temp.File("m.h5"));

        SavingTestSupport.AssertSameWeights(model, target);
    }

    [Fact]
    public void A_TensorFlow_js_functional_model_loads_with_its_graph_and_weights_matched_by_name()
    {
        using var temp = SavingTestSupport.Temp();
        var model = Everything("tfjs");
        Randomize(model);
        string json = TfjsWriter.Write(model, temp.Path);
        JsonNode.Parse(File.ReadAllText(json))!["modelTopology"]!["class_name"]!.GetValue<string>().Should().Be("Model");

        var loaded = Model.Load(json);

        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        SavingTestSupport.AssertSameWeights(model, loaded);
        SameOutputs(model, loaded);
    }

    [Fact]
    public void A_Keras_2_model_whose_decoder_takes_the_encoders_output_numbers_both_from_1()
    {
        // The shape of keras 2.1.6-tf's file in tfjs-layers' tests: "Decoder" inbound [[["Encoder", 1, 0, {}]]],
        // output_layers [["Decoder", 1, 0]].
        var encIn = Keras.Input(shape: [6], name: "enc_in");
        var encoder = new Model(encIn, new Dense(2, name: "enc_dense").Apply(encIn), name: "Encoder");
        var decIn = Keras.Input(shape: [2], name: "dec_in");
        var decoder = new Model(decIn, new Dense(6, name: "dec_dense").Apply(decIn), name: "Decoder");
        var input1 = Keras.Input(shape: [6], name: "input_1");
        var model = new Model([input1], [decoder.Apply(encoder.Apply(input1))], name: "autoencoder");
        var topology = Keras2Topology.Of(model, functionalClass: "Model");
        topology["config"]!["layers"]![2]!["inbound_nodes"]!.ToJsonString().Should().Be("""[[["Encoder",1,0,{}]]]""");
        topology["config"]!["output_layers"]!.ToJsonString().Should().Be("""[["Decoder",1,0]]""");
        using var temp = SavingTestSupport.Temp();
        LegacyH5Writer.Write(model, temp.File("ae.h5"), topology);

        var loaded = Model.Load(temp.File("ae.h5"));

        var x = GradientCheck.Random(23, -1f, 1f, 3, 6);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
        // Keras 3 (and KerasNotes) write the same model with the calls from 0 and only output_layers from 1.
        var keras3 = FunctionalFiles.ConfigOf(loaded)["config"]!;
        keras3["layers"]![2]!["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString().Should().Be("""["Encoder",0,0]""");
        keras3["output_layers"]!.ToJsonString().Should().Be("""[["Decoder",1,0]]""");
    }

    [Fact]
    public void A_Keras_2_call_of_a_nested_model_numbered_from_0_is_refused_as_out_of_range()
    {
        var encIn = Keras.Input(shape: [3], name: "enc0_in");
        var encoder = new Model(encIn, new Dense(2, name: "enc0_dense").Apply(encIn), name: "enc0");
        var input = Keras.Input(shape: [3], name: "in0");
        var model = new Model(input, new Dense(1, name: "head0").Apply(encoder.Apply(input)), name: "zero_based");
        var topology = Keras2Topology.Of(model);
        topology["config"]!["layers"]![2]!["inbound_nodes"] = JsonNode.Parse("""[[["enc0", 0, 0, {}]]]""");
        using var temp = SavingTestSupport.Temp();
        LegacyH5Writer.Write(model, temp.File("zero.h5"), topology);

        var act = () => Model.Load(temp.File("zero.h5"));

        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("node index 0 of layer 'enc0' is out of range").And.Contain("numbered from 1");
    }

    [Fact]
    public void A_Keras_2_call_with_a_constant_argument_is_refused()
    {
        var x = Keras.Input(shape: [3], name: "in_const");
        var model = new Model(x, new Dense(1, name: "d_const").Apply(x), name: "const_model");
        var topology = Keras2Topology.Of(model);
        topology["config"]!["layers"]![1]!["inbound_nodes"] = JsonNode.Parse("""[[["_CONSTANT_VALUE", -1, 5, {}]]]""");
        using var temp = SavingTestSupport.Temp();
        LegacyH5Writer.Write(model, temp.File("const.h5"), topology);

        var act = () => Model.Load(temp.File("const.h5"));

        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("unknown layer '_CONSTANT_VALUE'");
    }
}
