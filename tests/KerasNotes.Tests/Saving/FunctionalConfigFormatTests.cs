using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The config.json of functional models, key for key as Keras 3 writes it (notes/functional-format.md §1): the
/// expected JSON is written out here, with each Dense's own config cut to its name (Dense's keys have tests of their own).
/// </summary>
public sealed class FunctionalConfigFormatTests
{
    private static string Expected(string json) => JsonNode.Parse(json)!.ToJsonString();

    [Fact]
    public void A_two_layer_functional_model_is_saved_as_Keras_3s_Functional_config_key_for_key()
    {
        var x = Keras.Input(shape: [4], name: "x");
        var y = new Dense(2, name: "d2").Apply(new Dense(8, activation: "relu", name: "d1").Apply(x));
        var model = new Model(x, y, name: "model_a");

        string expected = Expected("""
            {"module": "keras.src.models.functional", "class_name": "Functional",
             "config": {"name": "model_a", "trainable": true, "layers": [
               {"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "x", "optional": false},
                "registered_name": null, "name": "x", "inbound_nodes": []},
               {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d1"}, "registered_name": null,
                "build_config": {"input_shape": [null, 4]}, "name": "d1",
                "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                    "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]},
               {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d2"}, "registered_name": null,
                "build_config": {"input_shape": [null, 8]}, "name": "d2",
                "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                    "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["d1", 0, 0]}}], "kwargs": {}}]}],
              "input_layers": ["x", 0, 0], "output_layers": ["d2", 0, 0]},
             "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": {}}
            """);

        FunctionalFiles.Abbreviated(FunctionalFiles.ConfigOf(model)).Should().Be(expected);
    }

    [Fact]
    public void A_merge_layer_call_is_saved_as_one_list_argument_with_its_list_build_config()
    {
        var in1 = Keras.Input(shape: [3], name: "in1_b");
        var in2 = Keras.Input(shape: [5], name: "in2_b");
        var concat = new Concatenate(name: "concat_b").Apply([in1, in2]);
        var model = new Model([in1, in2], [new Dense(1, name: "out1_b").Apply(concat), new Dense(2, name: "out2_b").Apply(concat)], name: "model_b");

        var config = FunctionalFiles.ConfigOf(model);
        string expected = Expected("""
            {"module": "keras.layers", "class_name": "Concatenate", "config": {"name": "concat_b"}, "registered_name": null,
             "build_config": {"input_shape": [[null, 3], [null, 5]]}, "name": "concat_b",
             "inbound_nodes": [{"args": [[
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["in1_b", 0, 0]}},
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 5], "dtype": "float32", "keras_history": ["in2_b", 0, 0]}}]],
               "kwargs": {}}]}
            """);

        FunctionalFiles.Abbreviated(FunctionalFiles.Layer(config, "concat_b")).Should().Be(expected);
        config["config"]!["layers"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()).Should().Equal("in1_b", "in2_b", "concat_b", "out1_b", "out2_b");
        config["config"]!["input_layers"]!.ToJsonString().Should().Be("""[["in1_b",0,0],["in2_b",0,0]]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""[["out1_b",0,0],["out2_b",0,0]]""");
    }

    [Fact]
    public void A_layer_shared_by_two_inputs_lists_two_calls_and_the_merge_names_each()
    {
        var xa = Keras.Input(shape: [4], name: "xa_c");
        var xb = Keras.Input(shape: [4], name: "xb_c");
        var shared = new Dense(3, name: "shared_c");
        var model = new Model([xa, xb], new Add(name: "add_c").Apply([shared.Apply(xa), shared.Apply(xb)]), name: "model_c");

        var config = FunctionalFiles.ConfigOf(model);
        FunctionalFiles.Layer(config, "shared_c")["inbound_nodes"]!.AsArray()
            .Select(n => n!["args"]![0]!["config"]!["keras_history"]!.ToJsonString()).Should().Equal("""["xa_c",0,0]""", """["xb_c",0,0]""");
        var add = FunctionalFiles.Layer(config, "add_c");
        add["build_config"]!.ToJsonString().Should().Be("""{"input_shape":[[null,3],[null,3]]}""");
        add["inbound_nodes"]![0]!["args"]![0]!.AsArray().Select(t => t!["config"]!["keras_history"]!.ToJsonString())
            .Should().Equal("""["shared_c",0,0]""", """["shared_c",1,0]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""["add_c",0,0]""");
    }

    [Fact]
    public void A_nested_functional_model_called_with_a_list_carries_one_mask_per_input()
    {
        var a = Keras.Input(shape: [2], name: "a_two_in");
        var b = Keras.Input(shape: [2], name: "b_two_in");
        var inner = new Model([a, b], new Add(name: "add_two_in").Apply([a, b]), name: "inner_two_in");
        var p = Keras.Input(shape: [2], name: "p_two_in");
        var q = Keras.Input(shape: [2], name: "q_two_in");
        var model = new Model([p, q], inner.Apply([p, q]), name: "outer_two_in");

        FunctionalFiles.Layer(FunctionalFiles.ConfigOf(model), "inner_two_in")["inbound_nodes"]![0]!["kwargs"]!.ToJsonString()
            .Should().Be("""{"mask":[null,null]}""");
    }

    [Fact]
    public void A_nested_Sequential_is_saved_whole_with_its_call_and_the_mask_argument_Keras_adds()
    {
        var seq = new Sequential([new Input([4], null, "input_layer_d"), new Dense(5, name: "sd1"), new Dense(6, name: "sd2")], name: "seq");
        var xi = Keras.Input(shape: [4], name: "xi");
        var model = new Model(xi, new Dense(1, name: "head").Apply(seq.Apply(xi)), name: "model_d");

        string expected = Expected("""
            {"module": "keras", "class_name": "Sequential",
             "config": {"name": "seq", "trainable": true,
              "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
              "layers": [
               {"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_layer_d", "optional": false},
                "registered_name": null},
               {"module": "keras.layers", "class_name": "Dense", "config": {"name": "sd1"}, "registered_name": null, "build_config": {"input_shape": [null, 4]}},
               {"module": "keras.layers", "class_name": "Dense", "config": {"name": "sd2"}, "registered_name": null, "build_config": {"input_shape": [null, 5]}}],
              "build_input_shape": [null, 4]},
             "registered_name": null, "build_config": {"input_shape": [null, 4]}, "compile_config": {}, "name": "seq",
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                 "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["xi", 0, 0]}}], "kwargs": {"mask": null}}]}
            """);

        FunctionalFiles.Abbreviated(FunctionalFiles.Layer(FunctionalFiles.ConfigOf(model), "seq")).Should().Be(expected);
    }

    [Fact]
    public void A_nested_functional_model_is_saved_whole_and_counts_its_calls_from_one_in_output_layers_only()
    {
        var innerIn = Keras.Input(shape: [4], name: "inner_in_g");
        var inner = new Model(innerIn, new Dense(3, name: "inner_dense_g").Apply(innerIn), name: "inner_g");
        var outerIn = Keras.Input(shape: [4], name: "outer_in_g");
        var called = inner.Apply(outerIn);
        var model = new Model(outerIn, [called, new Dense(1, name: "after_g").Apply(called)], name: "model_g");

        var config = FunctionalFiles.ConfigOf(model);
        string expected = Expected("""
            {"module": "keras.src.models.functional", "class_name": "Functional",
             "config": {"name": "inner_g", "trainable": true, "layers": [
               {"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "inner_in_g", "optional": false},
                "registered_name": null, "name": "inner_in_g", "inbound_nodes": []},
               {"module": "keras.layers", "class_name": "Dense", "config": {"name": "inner_dense_g"}, "registered_name": null,
                "build_config": {"input_shape": [null, 4]}, "name": "inner_dense_g",
                "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                    "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["inner_in_g", 0, 0]}}], "kwargs": {}}]}],
              "input_layers": ["inner_in_g", 0, 0], "output_layers": ["inner_dense_g", 0, 0]},
             "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": {}, "name": "inner_g",
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                 "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["outer_in_g", 0, 0]}}], "kwargs": {"mask": null}}]}
            """);

        FunctionalFiles.Abbreviated(FunctionalFiles.Layer(config, "inner_g")).Should().Be(expected);
        // The consumer names the call 0; output_layers names it 1 ("Functional models start with a pre-existing node").
        FunctionalFiles.Layer(config, "after_g")["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString().Should().Be("""["inner_g",0,0]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""[["inner_g",1,0],["after_g",0,0]]""");
    }

    [Fact]
    public void A_layer_shared_with_another_model_has_only_this_models_calls_numbered_from_zero()
    {
        var xa = Keras.Input(shape: [4], name: "xa_c2");
        var xb = Keras.Input(shape: [4], name: "xb_c2");
        var shared = new Dense(3, name: "shared_c2");
        _ = shared.Apply(xa);
        var model = new Model(xb, shared.Apply(xb), name: "model_c2");

        var config = FunctionalFiles.ConfigOf(model);
        var nodes = FunctionalFiles.Layer(config, "shared_c2")["inbound_nodes"]!.AsArray();
        nodes.Should().ContainSingle();
        nodes[0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString().Should().Be("""["xb_c2",0,0]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""["shared_c2",0,0]""");
        config["config"]!["layers"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()).Should().Equal("xb_c2", "shared_c2");
    }

    [Fact]
    public void A_layer_called_twice_lists_both_calls_and_consumers_name_each_by_its_index()
    {
        var x = Keras.Input(shape: [3], name: "x_twice");
        var shared = new Dense(3, name: "shared_twice_f");
        var model = new Model(x, shared.Apply(shared.Apply(x)), name: "model_twice");

        var config = FunctionalFiles.ConfigOf(model);
        var nodes = FunctionalFiles.Layer(config, "shared_twice_f")["inbound_nodes"]!.AsArray();
        nodes.Select(n => n!["args"]![0]!["config"]!["keras_history"]!.ToJsonString())
            .Should().Equal("""["x_twice",0,0]""", """["shared_twice_f",0,0]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""["shared_twice_f",1,0]""");
    }

    [Fact]
    public void Inputs_and_outputs_given_as_lists_are_saved_as_lists_of_triples_and_single_ones_as_one_triple()
    {
        var x = Keras.Input(shape: [6], name: "fi_list");
        var listed = new Model([x], [new Dense(2, name: "d_list").Apply(x)], name: "model_list");
        var config = FunctionalFiles.ConfigOf(listed);
        config["config"]!["input_layers"]!.ToJsonString().Should().Be("""[["fi_list",0,0]]""");
        config["config"]!["output_layers"]!.ToJsonString().Should().Be("""[["d_list",0,0]]""");

        var a = Keras.Input(shape: [2], name: "two_a");
        var b = Keras.Input(shape: [2], name: "two_b");
        var heads = new Model([a, b], new Dense(1, name: "d_two").Apply(a), name: "model_two");
        var twoConfig = FunctionalFiles.ConfigOf(heads);
        twoConfig["config"]!["input_layers"]!.ToJsonString().Should().Be("""[["two_a",0,0],["two_b",0,0]]""");
        twoConfig["config"]!["output_layers"]!.ToJsonString().Should().Be("""["d_two",0,0]""");
    }

    [Fact]
    public void BatchNormalization_calls_carry_the_mask_argument_as_its_call_takes_one()
    {
        var x = Keras.Input(shape: [3], name: "x_bn");
        var model = new Model(x, new BatchNormalization(name: "bn_mask").Apply(new Dense(3, name: "d_bn").Apply(x)));

        var config = FunctionalFiles.ConfigOf(model);
        FunctionalFiles.Layer(config, "bn_mask")["inbound_nodes"]![0]!["kwargs"]!.ToJsonString().Should().Be("""{"mask":null}""");
        FunctionalFiles.Layer(config, "d_bn")["inbound_nodes"]![0]!["kwargs"]!.ToJsonString().Should().Be("{}");
    }

    [Fact]
    public void A_functional_model_in_a_Sequential_is_saved_as_a_Functional_entry_without_calls()
    {
        var x = Keras.Input(shape: [4], name: "x_in_seq");
        var functional = new Model(x, new Dense(3, name: "d_in_seq").Apply(x), name: "functional_in_seq");
        var model = new Sequential([new Input(4), functional, new Dense(1)], name: "seq_outer");

        var entry = FunctionalFiles.ConfigOf(model)["config"]!["layers"]![1]!.AsObject();
        entry.Select(p => p.Key).Should().Equal("module", "class_name", "config", "registered_name", "build_config", "compile_config");
        entry["module"]!.GetValue<string>().Should().Be("keras.src.models.functional");
        entry["class_name"]!.GetValue<string>().Should().Be("Functional");
        entry["registered_name"]!.GetValue<string>().Should().Be("Functional");
        entry["build_config"]!.ToJsonString().Should().Be("""{"input_shape":null}""");
    }
}
