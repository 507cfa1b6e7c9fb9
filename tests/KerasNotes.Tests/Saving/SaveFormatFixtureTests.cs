using KerasNotes.Layers;
using PureHDF;
using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Every file of Fixtures/save_format (copied from ../shared/fixtures/save_format) against save_format.json:
/// the Keras 3 weights file, the legacy Keras 2 and Keras 3 whole-model .h5 files and the TensorFlow.js model
/// load and predict the fixture's expected outputs.
/// </summary>
public sealed class SaveFormatFixtureTests
{
    private const string Json = "save_format/save_format.json";

    private static Sequential BuildFixtureModel() => new(
        [new Input(3),
        new Dense(4, activation: "relu", name: "dense"),
        new BatchNormalization(momentum: 0.99, epsilon: 1e-3, name: "batch_normalization"),
        new Dense(2, activation: "softmax", name: "dense_1")],
        name: "sequential");

    private static void AssertPredictsFixture(Model model)
    {
        var root = Fixture.Load(Json);
        var (abs, rel) = Fixture.Tolerance(root["tolerance"]);
        var x = Fixture.ToTensor(root["inputs"]!["x"]!);
        var expected = Fixture.ToTensor(root["expected"]!["predictions"]!);
        TensorAssert.Close(expected, model.Predict(x), abs, rel, "predictions");
    }

    private static void AssertHoldsFixtureWeights(Model model)
    {
        var weights = Fixture.Load(Json)["weights"]!.AsObject();
        var byPath = new Dictionary<string, Variable>();
        foreach (var layer in model.Layers)
        {
            foreach (var v in layer.Weights)
            {
                byPath[$"{layer.Name}/{v.Name}"] = v;
            }
        }

        byPath.Keys.Should().BeEquivalentTo(weights.Select(w => w.Key));
        foreach (var (key, value) in weights)
        {
            TensorAssert.BitEqual(Fixture.ToFloats(value!), byPath[key].Value.AsSpan(), key);
        }
    }

    [Theory]
    [InlineData("legacy_keras2_model.h5")]
    [InlineData("legacy_keras3_model.h5")]
    public void A_legacy_whole_model_file_loads_and_predicts_the_fixture(string file)
    {
        var model = Model.Load(SavingTestSupport.FixturePath("save_format", file));

        model.Should().BeOfType<Sequential>();
        model.Layers.Select(l => l.GetType().Name).Should().Equal("Dense", "BatchNormalization", "Dense");
        model.Layers.Select(l => l.Name).Should().Equal("dense", "batch_normalization", "dense_1");
        model.IsCompiled.Should().BeFalse("the fixture has no training_config");
        AssertHoldsFixtureWeights(model);
        AssertPredictsFixture(model);
    }

    [Theory]
    [InlineData("legacy_keras2_model.h5")]
    [InlineData("legacy_keras3_model.h5")]
    [InlineData("keras3_model.weights.h5")]
    public void LoadWeights_fills_a_model_built_by_the_same_code(string file)
    {
        var model = BuildFixtureModel();
        model.LoadWeights(SavingTestSupport.FixturePath("save_format", file));

        AssertHoldsFixtureWeights(model);
        AssertPredictsFixture(model);
    }

    [Fact]
    public void The_Keras3_weights_file_loads_by_position_whatever_the_layer_names()
    {
        var model = new Sequential(new Input(3), new Dense(4, activation: "relu"), new BatchNormalization(), new Dense(2, activation: "softmax"));
        model.LoadWeights(SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5"));
        AssertPredictsFixture(model);
    }

    [Fact]
    public void The_TensorFlow_js_model_loads_from_its_folder_and_from_model_json()
    {
        string folder = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model");
        foreach (string path in new[] { folder, Path.Combine(folder, "model.json") })
        {
            var model = Model.Load(path);
            model.Layers.Select(l => l.GetType().Name).Should().Equal("Dense", "BatchNormalization", "Dense");
            AssertHoldsFixtureWeights(model);
            AssertPredictsFixture(model);
        }
    }

    [Fact]
    public void LoadWeights_from_a_TensorFlow_js_model_matches_weights_by_name()
    {
        var model = BuildFixtureModel();
        model.LoadWeights(SavingTestSupport.FixturePath("save_format", "tfjs_layers_model", "model.json"));
        AssertHoldsFixtureWeights(model);
        AssertPredictsFixture(model);
    }

    [Fact]
    public void A_weights_only_file_given_to_Load_says_to_use_LoadWeights()
    {
        var act = () => Model.Load(SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5"));
        act.Should().Throw<KerasNotes.Saving.ModelFormatException>().WithMessage("*weights only*LoadWeights*");
    }

    [Fact]
    public void SaveWeights_writes_exactly_the_layout_the_fixture_describes()
    {
        using var temp = SavingTestSupport.Temp();
        var model = BuildFixtureModel();
        model.LoadWeights(SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5"));
        model.SaveWeights(temp.File("ours.weights.h5"));
        var layout = Fixture.Load(Json)["files"]!["keras3_model.weights.h5"]!["layout"]!.AsArray();
        var weights = Fixture.Load(Json)["weights"]!.AsObject();

        using var ours = H5File.OpenRead(temp.File("ours.weights.h5"));
        foreach (var item in layout)
        {
            string path = item!["path"]!.GetValue<string>().TrimStart('/');
            if (item["kind"]!.GetValue<string>() == "group")
            {
                var group = ours.Group(path);
                foreach (var (attr, value) in item["attrs"]!.AsObject())
                {
                    group.Attribute(attr).Read<string>().Should().Be(value!.GetValue<string>(), $"{path}@{attr}");
                }
            }
            else
            {
                var ds = ours.Dataset(path);
                ds.Space.Dimensions.Select(d => (int)d).Should().Equal(item["shape"]!.AsArray().Select(d => d!.GetValue<int>()), path);
                ds.Type.Size.Should().Be(4);
                TensorAssert.BitEqual(Fixture.ToFloats(weights[item["holds"]!.GetValue<string>()]!), ds.Read<float[]>(), path);
            }
        }

        ours.Group("layers").Children().Select(c => c.Name).Should().BeEquivalentTo("dense", "batch_normalization", "dense_1");
    }

    [Fact]
    public void Our_own_weights_file_round_trips_into_a_fresh_model()
    {
        using var temp = SavingTestSupport.Temp();
        var source = BuildFixtureModel();
        source.LoadWeights(SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5"));
        source.SaveWeights(temp.File("copy.weights.h5"));

        var fresh = BuildFixtureModel();
        fresh.LoadWeights(temp.File("copy.weights.h5"));
        SavingTestSupport.AssertSameWeights(source, fresh);
        AssertPredictsFixture(fresh);
    }
}
