using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// A functional config that cannot describe a graph — a cycle, a reference to a layer, node or tensor that does not
/// exist, two layers of one name, inputs that are not InputLayers, unknown classes, calls KerasNotes cannot make — is
/// refused with ModelFormatException naming the layer and what was wrong, before anything big is allocated; a long
/// graph in the worst order still loads in linear time.
/// </summary>
public sealed class FunctionalFileRefusalTests
{
    private static readonly Lazy<byte[]> s_archive = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var x = Keras.Input(shape: [4], name: "x_bad");
        var model = new Model(x, new Dense(2, name: "d2_bad").Apply(new Dense(3, name: "d1_bad").Apply(x)), name: "model_bad");
        model.Save(temp.File("m.keras"));
        return File.ReadAllBytes(temp.File("m.keras"));
    });

    // A model without weights: the weights member of the archives whose config.json the tests write whole.
    private static readonly Lazy<byte[]> s_noWeights = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var x = Keras.Input(shape: [2], name: "x_none");
        new Model(x, new Activation("linear", name: "a_none").Apply(x)).Save(temp.File("m.keras"));
        return File.ReadAllBytes(temp.File("m.keras"));
    });

    private static ModelFormatException Refused(Action<JsonObject> edit)
    {
        using var temp = SavingTestSupport.Temp();
        File.WriteAllBytes(temp.File("good.keras"), s_archive.Value);
        string path = FunctionalFiles.WithConfig(temp.File("good.keras"), temp.File("bad.keras"), edit);
        var act = () => Model.Load(path);
        var e = act.Should().Throw<ModelFormatException>().Which;
        e.Entry.Should().Be("config.json");
        return e;
    }

    private static JsonObject Entry(JsonObject root, string name) => FunctionalFiles.Layer(root, name);

    private static JsonNode History(JsonObject root, string layer, int call = 0) =>
        Entry(root, layer)["inbound_nodes"]![call]!["args"]![0]!["config"]!["keras_history"]!;

    private static void SetHistory(JsonObject root, string layer, string target, int node, int tensor = 0) =>
        Entry(root, layer)["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"] = new JsonArray(target, node, tensor);

    [Fact]
    public void The_unchanged_file_loads()
    {
        using var temp = SavingTestSupport.Temp();
        File.WriteAllBytes(temp.File("good.keras"), s_archive.Value);
        Model.Load(temp.File("good.keras")).Layers.Select(l => l.Name).Should().Equal("x_bad", "d1_bad", "d2_bad");
    }

    [Fact]
    public void A_cycle_between_two_layers_is_refused_naming_the_calls_that_wait_for_each_other()
    {
        var e = Refused(root => SetHistory(root, "d1_bad", "d2_bad", 0));
        e.Message.Should().Contain("cycle").And.Contain("'d1_bad' call 0 waits for 'd2_bad' call 0").And.Contain("'d2_bad' call 0 waits for 'd1_bad' call 0");
    }

    [Fact]
    public void A_layer_called_on_its_own_output_is_refused_as_a_cycle()
    {
        var e = Refused(root => SetHistory(root, "d1_bad", "d1_bad", 0));
        e.Message.Should().Contain("cycle").And.Contain("'d1_bad' call 0 waits for 'd1_bad' call 0");
    }

    [Fact]
    public void A_call_on_a_layer_the_model_does_not_have_is_refused_naming_it()
    {
        var e = Refused(root => SetHistory(root, "d2_bad", "ghost", 0));
        e.Message.Should().Contain("unknown layer 'ghost'").And.Contain("model_bad");
    }

    [Theory]
    [InlineData(1, 0, "node index 1 of layer 'd1_bad' is out of range", "calls that layer 1 time(s)")]
    [InlineData(-1, 0, "node index -1 of layer 'd1_bad' is out of range", "calls that layer 1 time(s)")]
    [InlineData(0, 2, "tensor index 2 of layer 'd1_bad' call 0 is out of range", "that call has 1 output(s)")]
    [InlineData(0, -1, "tensor index -1 of layer 'd1_bad'", "is negative")]
    public void A_node_or_tensor_index_out_of_range_is_refused_naming_the_layer(int node, int tensor, string message, string detail)
    {
        var e = Refused(root => SetHistory(root, "d2_bad", "d1_bad", node, tensor));
        e.Message.Should().Contain(message).And.Contain(detail);
    }

    [Fact]
    public void An_InputLayer_named_with_a_node_other_than_0_is_refused()
    {
        var e = Refused(root => SetHistory(root, "d1_bad", "x_bad", 1));
        e.Message.Should().Contain("'x_bad' is an InputLayer").And.Contain("[node 1, tensor 0]");
    }

    [Fact]
    public void An_unknown_layer_class_is_refused_naming_the_class()
    {
        var e = Refused(root => Entry(root, "d1_bad")["class_name"] = "Relu");
        e.Message.Should().Contain("unknown class 'Relu'").And.Contain("CustomObjects.RegisterLayer");
    }

    [Fact]
    public void Two_layers_of_one_name_are_refused()
    {
        var e = Refused(root =>
        {
            var d2 = Entry(root, "d2_bad");
            d2["name"] = "d1_bad";
            d2["config"]!["name"] = "d1_bad";
        });
        e.Message.Should().Contain("the name 'd1_bad' is used by two layers");
    }

    [Fact]
    public void An_entry_whose_name_differs_from_its_layers_config_name_is_refused()
    {
        var e = Refused(root => Entry(root, "d2_bad")["name"] = "renamed");
        e.Message.Should().Contain("named 'renamed'").And.Contain("'d2_bad'");
    }

    [Fact]
    public void A_layer_entry_without_a_name_is_refused()
    {
        var e = Refused(root => Entry(root, "d2_bad").Remove("name"));
        e.Message.Should().Contain("needs a 'name'");
    }

    [Fact]
    public void Input_layers_that_are_not_InputLayers_are_refused()
    {
        var e = Refused(root => root["config"]!["input_layers"] = new JsonArray("d1_bad", 0, 0));
        e.Message.Should().Contain("input_layers names 'd1_bad' (Dense), which is not an InputLayer");
    }

    [Theory]
    [InlineData("""["ghost", 0, 0]""", "unknown layer 'ghost'")]
    [InlineData("""["d2_bad", 1, 0]""", "node index 1 of layer 'd2_bad' is out of range")]
    [InlineData("""[]""", "output_layers is empty")]
    [InlineData("""{"other": ["d2_bad", 0, 0]}""", "key 'other' differs from its layer's name 'd2_bad'")]
    [InlineData("""["d2_bad", 0]""", "expected [layer name, node index, tensor index]")]
    [InlineData("""5""", "expected output_layers as [layer name, node index, tensor index]")]
    public void Output_layers_that_name_no_tensor_of_the_model_are_refused(string outputs, string message)
    {
        var e = Refused(root => root["config"]!["output_layers"] = JsonNode.Parse(outputs));
        e.Message.Should().Contain(message);
    }

    [Fact]
    public void An_InputLayer_with_calls_of_its_own_is_refused()
    {
        var e = Refused(root => Entry(root, "x_bad")["inbound_nodes"] = Entry(root, "d2_bad")["inbound_nodes"]!.DeepClone());
        e.Message.Should().Contain("InputLayer 'x_bad' is not called on anything");
    }

    [Theory]
    [InlineData("""{"training": true}""", "'training'")]
    [InlineData("""{"mask": [true]}""", "'mask'")]
    [InlineData("""{"scale": 2}""", "'scale'")]
    public void Call_arguments_that_would_change_the_computation_are_refused(string kwargs, string argument)
    {
        var e = Refused(root => Entry(root, "d2_bad")["inbound_nodes"]![0]!["kwargs"] = JsonNode.Parse(kwargs));
        e.Message.Should().Contain("layer 'd2_bad' call 0").And.Contain(argument).And.Contain("not supported");
    }

    [Theory]
    [InlineData("""[]""", "expected one positional argument")]
    [InlineData("""[5]""", "expected a tensor")]
    [InlineData("""[[]]""", "the list of input tensors is empty")]
    [InlineData("""[{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": null}}]""", "no keras_history")]
    [InlineData("""[{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "int32", "keras_history": ["d1_bad", 0, 0]}}]""", "only float32 tensors")]
    public void Call_arguments_other_than_tensors_of_the_model_are_refused(string args, string message)
    {
        var e = Refused(root => Entry(root, "d2_bad")["inbound_nodes"]![0]!["args"] = JsonNode.Parse(args));
        e.Message.Should().Contain(message);
    }

    [Fact]
    public void A_model_that_mixes_Keras_3_calls_with_Keras_2_lists_is_refused()
    {
        var e = Refused(root => Entry(root, "d2_bad")["inbound_nodes"] = JsonNode.Parse("""[[["d1_bad", 0, 0, {}]]]"""));
        e.Message.Should().Contain("mixes Keras 3 calls");
    }

    [Fact]
    public void A_config_missing_its_output_layers_is_refused()
    {
        var e = Refused(root => root["config"]!.AsObject().Remove("output_layers"));
        e.Message.Should().Contain("needs 'layers', 'input_layers' and 'output_layers'");
    }

    [Fact]
    public void A_layer_whose_weights_the_file_cannot_hold_is_refused_before_it_is_built()
    {
        var e = Refused(root => Entry(root, "d1_bad")["config"]!["units"] = 200_000_000);
        e.Message.Should().Contain("layer 'd1_bad' (Dense)").And.Contain("more than the file's");
    }

    [Fact]
    public void An_input_too_large_for_any_layer_to_run_on_is_refused_before_a_layer_runs()
    {
        var e = Refused(root =>
        {
            Entry(root, "x_bad")["config"]!["batch_shape"] = JsonNode.Parse("[null, 65536, 65536]");
        });
        e.Message.Should().Contain("layer 'd1_bad' (Dense)").And.Contain("not plausible");
    }

    /// <summary>A config.json of a chain of Activation layers listed outputs first: every call waits for the one after it in the file.</summary>
    private static byte[] ReversedChain(int length)
    {
        var sb = new StringBuilder();
        sb.Append("""{"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "chain", "trainable": true, "layers": [""");
        for (int i = length; i >= 1; i--)
        {
            string from = i == 1 ? "chain_in" : $"a{i - 1}";
            sb.Append($$$"""{"module": "keras.layers", "class_name": "Activation", "config": {"name": "a{{{i}}}", "activation": "linear"}, "registered_name": null, "name": "a{{{i}}}", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["{{{from}}}", 0, 0]}}], "kwargs": {}}]}, """);
        }

        sb.Append("""{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "dtype": "float32", "name": "chain_in"}, "registered_name": null, "name": "chain_in", "inbound_nodes": []}""");
        sb.Append($$$"""], "input_layers": ["chain_in", 0, 0], "output_layers": ["a{{{length}}}", 0, 0]}, "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": {}}""");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Fact]
    public void A_long_chain_listed_in_the_worst_order_loads_in_linear_time()
    {
        using var temp = SavingTestSupport.Temp();
        File.WriteAllBytes(temp.File("good.keras"), s_noWeights.Value);
        string path = FunctionalFiles.WithMember(temp.File("good.keras"), temp.File("chain.keras"), "config.json", ReversedChain(20_000));

        var sw = Stopwatch.StartNew();
        var model = Model.Load(path);

        model.Layers.Should().HaveCount(20_001);
        model.Layers[^1].Name.Should().Be("a20000");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "Keras's passes over the layers would take 20,000 of them here");
    }

    [Fact]
    public void A_big_nested_model_called_very_often_is_refused_before_its_calls_are_worked_out()
    {
        // An inner chain of 5,000 layers called 5,000 times costs 25 million shape steps: more than any real model.
        var sb = new StringBuilder();
        sb.Append("""{"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "outer", "trainable": true, "layers": [""");
        sb.Append("""{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "dtype": "float32", "name": "outer_in"}, "registered_name": null, "name": "outer_in", "inbound_nodes": []}, """);
        string inner = Encoding.UTF8.GetString(ReversedChain(5_000));
        var innerEntry = JsonNode.Parse(inner)!.AsObject();
        innerEntry["name"] = "chain";
        var calls = new JsonArray();
        for (int i = 0; i < 5_000; i++)
        {
            calls.Add(JsonNode.Parse($$$"""{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["{{{(i == 0 ? "outer_in" : "chain")}}}", {{{Math.Max(0, i - 1)}}}, 0]}}], "kwargs": {"mask": null}}"""));
        }

        innerEntry["inbound_nodes"] = calls;
        sb.Append(innerEntry.ToJsonString());
        sb.Append("""], "input_layers": ["outer_in", 0, 0], "output_layers": ["chain", 5000, 0]}, "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": {}}""");
        using var temp = SavingTestSupport.Temp();
        File.WriteAllBytes(temp.File("good.keras"), s_noWeights.Value);
        string path = FunctionalFiles.WithMember(temp.File("good.keras"), temp.File("often.keras"), "config.json", Encoding.UTF8.GetBytes(sb.ToString()));

        var sw = Stopwatch.StartNew();
        var act = () => Model.Load(path);

        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("layer 'chain' (Functional)").And.Contain("not plausible");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
    }
}
