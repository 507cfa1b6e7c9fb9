using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Files written here carry the keys Keras 3.15 writes (issue 16, item 4), older files without them keep
/// loading, and values KerasNotes cannot honour are refused by name before a model is built.
/// </summary>
public sealed class Keras315KeysFileTests
{
    // SmallModel's config.layers: InputLayer, Dense, BatchNormalization, Dropout, Dense.
    private const int DenseIndex = 1;
    private const int BatchNormIndex = 2;

    private static readonly Lazy<(Sequential Model, Tensor X, byte[] Archive)> s_saved = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        model.Save(temp.File("m.keras"));
        return (model, x, File.ReadAllBytes(temp.File("m.keras")));
    });

    private static Dictionary<string, byte[]> Members(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        });
    }

    private static JsonObject ConfigOf(byte[] archive) => JsonNode.Parse(Members(archive)["config.json"])!.AsObject();

    private static JsonObject LayerConfig(JsonObject root, int index) => root["config"]!["layers"]![index]!["config"]!.AsObject();

    /// <summary>The saved archive with its config.json changed by <paramref name="edit"/>, written to a file.</summary>
    private static string WithEditedConfig(TempFolder temp, Action<JsonObject> edit, byte[]? archive = null)
    {
        var members = Members(archive ?? s_saved.Value.Archive);
        var root = JsonNode.Parse(members["config.json"])!.AsObject();
        edit(root);
        members["config.json"] = Encoding.UTF8.GetBytes(root.ToJsonString());
        string path = temp.File("edited.keras");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (string name in new[] { "metadata.json", "config.json", "model.weights.h5" })
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(members[name]);
            }
        }

        return path;
    }

    private static ModelFormatException Refused(string path)
    {
        var act = () => Model.Load(path);
        return act.Should().Throw<ModelFormatException>().Which;
    }

    [Fact]
    public void Config_json_carries_the_Keras_3_15_keys_of_Dense_BatchNormalization_and_their_initializers()
    {
        var root = ConfigOf(s_saved.Value.Archive);
        var dense = LayerConfig(root, DenseIndex);
        dense.Select(p => p.Key).TakeLast(3).Should().Equal("kernel_constraint", "bias_constraint", "quantization_config");
        dense["quantization_config"].Should().BeNull();
        dense["kernel_initializer"]!["config"]!.ToJsonString().Should().Be("""{"seed":null,"input_axes":null,"output_axes":null}""");

        var bn = LayerConfig(root, BatchNormIndex);
        bn.Select(p => p.Key).TakeLast(4).Should().Equal("synchronized", "renorm", "renorm_clipping", "renorm_momentum");
        bn["renorm"]!.GetValue<bool>().Should().BeFalse();
        bn["renorm_clipping"].Should().BeNull();
        bn["renorm_momentum"]!.GetValue<double>().Should().Be(0.99);
    }

    [Fact]
    public void A_file_with_the_new_keys_loads_and_saves_the_same_config_again()
    {
        using var temp = SavingTestSupport.Temp();
        var (model, x, archive) = s_saved.Value;
        File.WriteAllBytes(temp.File("m.keras"), archive);

        var loaded = Model.Load(temp.File("m.keras"));
        loaded.Save(temp.File("again.keras"));

        Members(File.ReadAllBytes(temp.File("again.keras")))["config.json"].Should().Equal(Members(archive)["config.json"]);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions after the round trip");
    }

    [Fact]
    public void A_file_written_before_the_new_keys_existed_still_loads()
    {
        using var temp = SavingTestSupport.Temp();
        var (model, x, _) = s_saved.Value;
        string path = WithEditedConfig(temp, root =>
        {
            var dense = LayerConfig(root, DenseIndex);
            dense.Remove("quantization_config");
            dense["kernel_initializer"]!["config"]!.AsObject().Remove("input_axes");
            dense["kernel_initializer"]!["config"]!.AsObject().Remove("output_axes");
            var bn = LayerConfig(root, BatchNormIndex);
            bn.Remove("renorm");
            bn.Remove("renorm_clipping");
            bn.Remove("renorm_momentum");
        });

        var loaded = Model.Load(path);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions of the older file");
    }

    [Fact]
    public void A_quantized_Dense_is_refused_naming_the_key_and_the_value()
    {
        using var temp = SavingTestSupport.Temp();
        string name = s_saved.Value.Model.Layers[0].Name;
        string path = WithEditedConfig(temp, root => LayerConfig(root, DenseIndex)["quantization_config"] =
            JsonNode.Parse("""{"module": "keras.quantizers", "class_name": "Int8QuantizationConfig", "config": {}, "registered_name": null}"""));

        var e = Refused(path);
        e.Message.Should().Contain($"Dense '{name}': quantization_config = {{\"module\"").And.Contain("(a quantized layer) is not supported; expected null");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_Dense_with_LoRA_is_refused_naming_the_rank(int rank)
    {
        using var temp = SavingTestSupport.Temp();
        string path = WithEditedConfig(temp, root =>
        {
            LayerConfig(root, DenseIndex)["lora_rank"] = rank;
            LayerConfig(root, DenseIndex)["lora_alpha"] = 8;
        });

        Refused(path).Message.Should().Contain($"lora_rank = {rank} (LoRA adapters) is not supported; expected null or 0");
    }

    [Fact]
    public void A_Dense_with_LoRA_off_loads_as_Keras_reads_it()
    {
        using var temp = SavingTestSupport.Temp();
        string path = WithEditedConfig(temp, root =>
        {
            LayerConfig(root, DenseIndex)["lora_rank"] = 0;
            LayerConfig(root, DenseIndex)["lora_alpha"] = 16;
        });

        Model.Load(path).Layers[0].Should().BeOfType<Dense>();
    }

    [Fact]
    public void A_Conv2D_with_LoRA_is_refused_naming_the_rank()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(5, 5, 1), new Conv2D(2, 3), new Flatten(), new Dense(1));
        model.Save(temp.File("cnn.keras"));
        string path = WithEditedConfig(temp, root => LayerConfig(root, 1)["lora_rank"] = 2, File.ReadAllBytes(temp.File("cnn.keras")));

        Refused(path).Message.Should().Contain($"Conv2D '{model.Layers[0].Name}': lora_rank = 2 (LoRA adapters) is not supported");
    }

    [Fact]
    public void BatchNormalization_with_renorm_is_refused_naming_the_key()
    {
        using var temp = SavingTestSupport.Temp();
        string name = s_saved.Value.Model.Layers[1].Name;
        string path = WithEditedConfig(temp, root => LayerConfig(root, BatchNormIndex)["renorm"] = true);

        Refused(path).Message.Should().Contain($"BatchNormalization '{name}': renorm = true (batch renormalization) is not supported; expected false");
    }

    [Fact]
    public void BatchNormalization_without_renorm_ignores_renorm_clipping_and_momentum_as_Keras_does()
    {
        using var temp = SavingTestSupport.Temp();
        string path = WithEditedConfig(temp, root =>
        {
            LayerConfig(root, BatchNormIndex)["renorm_clipping"] = JsonNode.Parse("""{"rmax": 3.0, "rmin": 0.3, "dmax": 5.0}""");
            LayerConfig(root, BatchNormIndex)["renorm_momentum"] = 0.9;
        });

        Model.Load(path).Layers[1].Should().BeOfType<BatchNormalization>();
    }

    [Theory]
    [InlineData("renorm_clipping", "\"rmax\"", "renorm_clipping should be null or an object")]
    [InlineData("renorm_momentum", "\"fast\"", "renorm_momentum' should be a number")]
    public void BatchNormalization_refuses_renorm_settings_of_the_wrong_kind(string key, string json, string message)
    {
        using var temp = SavingTestSupport.Temp();
        string path = WithEditedConfig(temp, root => LayerConfig(root, BatchNormIndex)[key] = JsonNode.Parse(json));

        Refused(path).Message.Should().Contain(message);
    }

    [Fact]
    public void A_kernel_initializer_with_fan_axes_is_refused_before_the_model_is_built()
    {
        using var temp = SavingTestSupport.Temp();
        string path = WithEditedConfig(temp, root =>
            LayerConfig(root, DenseIndex)["kernel_initializer"]!["config"]!["input_axes"] = new JsonArray(0));

        Refused(path).Message.Should().Contain("GlorotUniform: input_axes = [0] (explicit fan-in axes) is not supported; expected null");
    }
}
