using System.IO.Compression;
using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Functional-model files written by Keras 3.16 itself (Fixtures/keras_functional): they load, predict the same from the
/// .keras archive and from the legacy .h5, and what we write back is Keras's config and Keras's weight paths.
/// </summary>
public sealed class KerasFunctionalFileTests
{
    public static TheoryData<string, string[]> Files => new()
    {
        { "a", ["x", "d1", "d2"] },
        { "b", ["in1", "in2", "concat", "out1", "out2"] },
        { "c", ["xa", "xb", "shared", "add"] },
        { "c2", ["xb", "shared"] },
        { "d", ["xi", "seq", "head"] },
        { "e", ["outer_in", "inner", "add_e", "outer_dense"] },
    };

    private static Tensor[] Batch(Model model, int seed) =>
        [.. model.Inputs.Select((input, i) => GradientCheck.Random(seed + i, -1f, 1f, 5, input.Shape[1]))];

    public static TheoryData<string, string[]> LegacyFiles => new()
    {
        { "a", ["x", "d1", "d2"] },
        { "b", ["in1", "in2", "concat", "out1", "out2"] },
        { "c", ["xa", "xb", "shared", "add"] },
        { "c2", ["xb", "shared"] },
        { "d", ["xi", "seq", "head"] },
        { "e", ["outer_in", "inner", "add_e", "outer_dense"] },
    };

    private static Model LoadArchive(string name) => Model.Load(FunctionalFiles.Keras(name + ".keras"));

    private static JsonObject WithoutCompileConfig(JsonObject config)
    {
        var copy = config.DeepClone().AsObject();
        copy.Remove("compile_config");
        return copy;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_Keras_functional_file_loads_with_Keras_layer_order_and_saves_back_Keras_config(string name, string[] layers)
    {
        string path = FunctionalFiles.Keras(name + ".keras");

        var model = LoadArchive(name);

        model.GetType().Should().Be<Model>();
        model.Layers.Select(l => l.Name).Should().Equal(layers);
        FunctionalFiles.Abbreviated(WithoutCompileConfig(FunctionalFiles.ConfigOf(model)))
            .Should().Be(FunctionalFiles.Abbreviated(WithoutCompileConfig(FunctionalFiles.ConfigIn(path))));
    }

    [Theory]
    [MemberData(nameof(LegacyFiles))]
    public void A_Keras_functional_model_predicts_the_same_from_its_keras_archive_and_its_legacy_h5(string name, string[] layers)
    {
        var fromArchive = LoadArchive(name);
        var fromLegacy = Model.Load(FunctionalFiles.Keras(name + ".h5"));

        fromLegacy.Layers.Select(l => l.Name).Should().Equal(layers);
        SavingTestSupport.AssertSameWeights(fromArchive, fromLegacy);
        var x = Batch(fromArchive, 5);
        var expected = fromArchive.ApplyOutputs(x);
        var actual = fromLegacy.ApplyOutputs(x);
        for (int i = 0; i < expected.Count; i++)
        {
            TensorAssert.BitEqual(expected[i].AsSpan(), actual[i].AsSpan(), $"output {i}");
        }
    }

    [Theory]
    [InlineData("b")]
    [InlineData("c")]
    [InlineData("c2")]
    [InlineData("d")]
    [InlineData("e")]
    public void SaveWeights_of_a_loaded_Keras_model_writes_the_paths_Keras_wrote(string name)
    {
        using var temp = SavingTestSupport.Temp();
        string path = FunctionalFiles.Keras(name + ".keras");
        byte[] keras;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("model.weights.h5")!.Open())
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            keras = ms.ToArray();
        }

        var model = LoadArchive(name);
        model.SaveWeights(temp.File("w.weights.h5"));

        H5Listing.Of(File.ReadAllBytes(temp.File("w.weights.h5"))).Should().Equal(H5Listing.Of(keras));
    }

    [Fact]
    public void A_nested_Sequentials_weights_are_under_its_group_without_an_input_layer_group_as_Keras_writes_them()
    {
        using var temp = SavingTestSupport.Temp();
        var model = Model.Load(FunctionalFiles.Keras("d.keras"));
        model.SaveWeights(temp.File("d.weights.h5"));

        H5Listing.Of(File.ReadAllBytes(temp.File("d.weights.h5"))).Should().Equal(
            "layers/",
            "layers/dense/",
            "layers/dense/vars/ {name: head}",
            "layers/dense/vars/0 (6, 1)",
            "layers/dense/vars/1 (1,)",
            "layers/input_layer/",
            "layers/input_layer/vars/ {name: xi}",
            "layers/sequential/",
            "layers/sequential/layers/",
            "layers/sequential/layers/dense/",
            "layers/sequential/layers/dense/vars/ {name: sd1}",
            "layers/sequential/layers/dense/vars/0 (4, 5)",
            "layers/sequential/layers/dense/vars/1 (5,)",
            "layers/sequential/layers/dense_1/",
            "layers/sequential/layers/dense_1/vars/ {name: sd2}",
            "layers/sequential/layers/dense_1/vars/0 (5, 6)",
            "layers/sequential/layers/dense_1/vars/1 (6,)",
            "layers/sequential/vars/ {name: seq}",
            "vars/ {name: model_d}");
    }

    [Fact]
    public void Keras_weights_of_a_functional_model_load_into_the_same_model_built_in_code()
    {
        string path = FunctionalFiles.Keras("d.keras");
        var loaded = Model.Load(path);
        var seq = new Sequential([new Input(4), new Dense(5, name: "sd1"), new Dense(6, name: "sd2")], name: "seq");
        var xi = Keras.Input(shape: [4], name: "xi");
        var model = new Model(xi, new Dense(1, name: "head").Apply(seq.Apply(xi)), name: "model_d");

        model.LoadWeights(path);

        SavingTestSupport.AssertSameWeights(loaded, model);
    }

    [Fact]
    public void A_nested_functional_model_called_twice_has_two_calls_and_its_weights_under_its_group()
    {
        using var temp = SavingTestSupport.Temp();
        var model = Model.Load(FunctionalFiles.Keras("e.keras"));

        model.Layers[1].InboundNodes.Should().HaveCount(2);
        model.SaveWeights(temp.File("e.weights.h5"));
        H5Listing.Of(File.ReadAllBytes(temp.File("e.weights.h5"))).Should().Equal(
            "layers/",
            "layers/add/",
            "layers/add/vars/ {name: add_e}",
            "layers/dense/",
            "layers/dense/vars/ {name: outer_dense}",
            "layers/dense/vars/0 (3, 1)",
            "layers/dense/vars/1 (1,)",
            "layers/functional/",
            "layers/functional/layers/",
            "layers/functional/layers/dense/",
            "layers/functional/layers/dense/vars/ {name: inner_dense}",
            "layers/functional/layers/dense/vars/0 (4, 3)",
            "layers/functional/layers/dense/vars/1 (3,)",
            "layers/functional/layers/input_layer/",
            "layers/functional/layers/input_layer/vars/ {name: inner_in}",
            "layers/functional/vars/ {name: inner}",
            "layers/input_layer/",
            "layers/input_layer/vars/ {name: outer_in}",
            "vars/ {name: model_e}");
    }

    [Fact]
    public void A_model_made_from_dicts_loads_its_inputs_as_a_list_and_refuses_outputs_keyed_by_other_names()
    {
        using var temp = SavingTestSupport.Temp();
        string path = FunctionalFiles.WithConfig(FunctionalFiles.Keras("b_dict.keras"), temp.File("b_dict.keras"), c => c.Remove("compile_config"));
        var act = () => Model.Load(path);

        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("output_layers is a dict whose key 'o1' differs from its layer's name 'out1'");

        string renamed = FunctionalFiles.WithConfig(path, temp.File("b_named.keras"), c => c["config"]!["output_layers"] = JsonNode.Parse("""{"out1": ["out1", 0, 0], "out2": ["out2", 0, 0]}"""));
        var model = Model.Load(renamed);
        model.InputNames.Should().Equal("in1", "in2");
        model.OutputNames.Should().Equal("out1", "out2");
    }

    [Fact]
    public void A_call_with_training_forced_is_refused_naming_the_layer_and_the_argument()
    {
        string path = FunctionalFiles.Keras("f.keras");
        var act = () => Model.Load(path);

        var e = act.Should().Throw<ModelFormatException>().Which;
        e.Message.Should().Contain("'drop'").And.Contain("'training'").And.Contain("not supported");
        e.Entry.Should().Be("config.json");
    }
}
