using System.Text;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Saving;
using KerasNotes.Saving.Json;
using KerasNotes.Saving.Legacy;
using KerasNotes.Tests.TestSupport;
using static KerasNotes.Tests.Models.MultiIoSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The compile config of a model with several outputs, in Keras 3's form (trainer.py <c>get_compile_config</c>: the
/// arguments as given — lists and dicts of losses, loss_weights, nested metrics), written and read back.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class MultiOutputCompileConfigTests
{
    private static string Write(Model model) => PythonJson.Serialize(KerasSerializer.CompileConfig(model, model.CompileConfig!));

    private static Model ReadInto(Model model, string json)
    {
        var node = ConfigJson.Root(Encoding.UTF8.GetBytes(json), "config.json", "compile_config", new LoadContext("compile.keras"));
        LegacyH5.Compile(model, node, KerasDeserializer.Compile(node, node["optimizer"]));
        return model;
    }

    [Fact]
    public void Lists_of_losses_weights_and_nested_metrics_are_written_as_given_and_read_back()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), ["mse", "binary_crossentropy"], metrics: ["mse", ["mse", "accuracy"]], lossWeights: [0.1, 2.0]);
        string json = Write(model);
        json.Should().Contain("\"loss\": [\"mse\", \"binary_crossentropy\"], \"loss_weights\": [0.1, 2.0], \"metrics\": [\"mse\", [\"mse\", \"accuracy\"]], \"weighted_metrics\": null");
        var copy = ReadInto(OneInTwoOut(), json);
        copy.MetricsNames.Should().Equal("loss", "dense_1_loss", "dense_2_loss", "dense_1_mse", "dense_2_accuracy", "dense_2_mse");
        copy.MetricsNames.Should().Equal(model.MetricsNames);
        Write(copy).Should().Be(json, "the config survives the round trip");
        var y = GradientCheck.Random(3, 0f, 1f, Samples, 3);
        copy.Evaluate([Pixels()], [y, Flags()]).Should().Equal(model.Evaluate([Pixels()], [y, Flags()]));
    }

    [Fact]
    public void Dictionaries_by_output_name_are_written_as_dictionaries_and_read_back()
    {
        var model = OneInTwoOut();
        model.Compile(
            new SGD(0.1),
            new Dictionary<string, LossSpec?> { ["dense_2"] = "binary_crossentropy", ["dense_1"] = null },
            metrics: new Dictionary<string, OutputMetrics> { ["dense_2"] = "acc" },
            weightedMetrics: new Dictionary<string, OutputMetrics> { ["dense_2"] = ["mse"] },
            lossWeights: new Dictionary<string, double> { ["dense_1"] = 1.0, ["dense_2"] = 0.5 });
        string json = Write(model);
        json.Should().Contain(
            "\"loss\": {\"dense_2\": \"binary_crossentropy\", \"dense_1\": null}, \"loss_weights\": {\"dense_1\": 1.0, \"dense_2\": 0.5}, " +
            "\"metrics\": {\"dense_2\": \"acc\"}, \"weighted_metrics\": {\"dense_2\": [\"mse\"]}");
        var copy = ReadInto(OneInTwoOut(), json);
        copy.CompiledLosses.Should().HaveCount(2);
        copy.CompiledLosses[0].Should().BeNull();
        copy.MetricsNames.Should().Equal("loss", "dense_2_acc", "dense_2_mse");
        Write(copy).Should().Be(json);
    }

    [Fact]
    public void One_loss_and_one_weight_for_every_output_stay_one_loss_and_one_weight()
    {
        var model = OneInTwoOut();
        model.Compile(new SGD(0.1), "mse", lossWeights: 0.5);
        string json = Write(model);
        json.Should().Contain("\"loss\": \"mse\", \"loss_weights\": 0.5, \"metrics\": null");
        Write(ReadInto(OneInTwoOut(), json)).Should().Be(json);
    }

    [Fact]
    public void A_compile_config_Keras_wrote_for_two_outputs_compiles_the_model()
    {
        const string Keras =
            "{\"optimizer\": {\"module\": \"keras.optimizers\", \"class_name\": \"SGD\", \"config\": {\"name\": \"SGD\", \"learning_rate\": 0.01}, \"registered_name\": null}, " +
            "\"loss\": {\"dense_1\": \"mean_squared_error\", \"dense_2\": \"binary_crossentropy\"}, \"loss_weights\": [0.1, 2], " +
            "\"metrics\": [[\"mae\"], [\"acc\", {\"module\": \"keras.metrics\", \"class_name\": \"BinaryAccuracy\", \"config\": {\"name\": \"binary_accuracy\", \"dtype\": \"float32\", \"threshold\": 0.7}, \"registered_name\": null}]], " +
            "\"weighted_metrics\": null, \"run_eagerly\": false, \"steps_per_execution\": 1, \"jit_compile\": true}";
        var model = ReadInto(OneInTwoOut(), Keras);
        model.MetricsNames.Should().Equal("loss", "dense_1_loss", "dense_2_loss", "dense_1_mae", "dense_2_acc", "dense_2_binary_accuracy");
        var y = GradientCheck.Random(3, 0f, 1f, Samples, 3);
        var logs = model.Evaluate([Pixels()], [y, Flags()], batchSize: Samples);
        logs["loss"].Should().BeApproximately((0.1 * logs["dense_1_loss"]) + (2 * logs["dense_2_loss"]), 1e-5);
    }

    [Fact]
    public void A_compile_config_that_does_not_fit_the_outputs_is_refused_as_a_format_error()
    {
        var three = "{\"optimizer\": null, \"loss\": [\"mse\", \"mse\", \"mse\"], \"loss_weights\": null, \"metrics\": null, \"weighted_metrics\": null}";
        var act = () => ReadInto(OneInTwoOut(), three);
        act.Should().Throw<ModelFormatException>().WithMessage("*3 losses*2 output(s)*");
        var badWeight = "{\"optimizer\": null, \"loss\": \"mse\", \"loss_weights\": \"heavy\", \"metrics\": null, \"weighted_metrics\": null}";
        var weight = () => ReadInto(OneInTwoOut(), badWeight);
        weight.Should().Throw<ModelFormatException>().WithMessage("*expected a number*");
        var wrongKeys = "{\"optimizer\": null, \"loss\": {\"dense_1\": \"mse\"}, \"loss_weights\": null, \"metrics\": null, \"weighted_metrics\": null}";
        var keys = () => ReadInto(OneInTwoOut(), wrongKeys);
        keys.Should().Throw<ModelFormatException>().WithMessage("*Expected keys ['dense_1', 'dense_2'] in loss dict*");
    }
}
