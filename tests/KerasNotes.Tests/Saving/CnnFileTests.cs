using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;
using PureHDF;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// CNN models in every file format: the <c>.keras</c> archive and <c>.weights.h5</c> as Keras 3 writes them
/// (config keys, kernel layout <c>[kh, kw, in, out]</c>), legacy Keras 2 <c>.h5</c> and TensorFlow.js files, and the
/// refusals of what KerasNotes cannot run (channels_first, grouped convolution, unknown padding) with the layer and
/// the value named.
/// </summary>
public sealed class CnnFileTests(ITestOutputHelper output)
{
    private static readonly Lazy<(byte[] Bytes, Sequential Model)> s_saved = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.TrainedCnn();
        model.Save(temp.File("cnn.keras"));
        return (File.ReadAllBytes(temp.File("cnn.keras")), model);
    });

    [Fact]
    public void Cnn_model_round_trips_through_a_keras_file_and_trains_on_identically()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.TrainedCnn();
        var (x, y) = SavingTestSupport.CnnData();
        model.Save(temp.File("cnn.keras"));

        var loaded = Model.Load(temp.File("cnn.keras"));

        loaded.Layers.Select(l => l.GetType()).Should().Equal(model.Layers.Select(l => l.GetType()));
        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        for (int i = 0; i < model.Layers.Count; i++)
        {
            loaded.Layers[i].GetConfig().Should().BeEquivalentTo(model.Layers[i].GetConfig(), o => o.RespectingRuntimeTypes(), $"layer {i}");
        }

        SavingTestSupport.AssertSameWeights(model, loaded);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
        loaded.Optimizer!.Iterations.Should().Be(model.Optimizer!.Iterations);

        var before = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var after = loaded.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        after["loss"].Should().Equal(before["loss"]);
        SavingTestSupport.AssertSameWeights(model, loaded);
    }

    [Fact]
    public void The_keras_config_holds_Keras_3_keys_and_values_for_every_convolution_and_pooling_layer()
    {
        var root = Config(s_saved.Value.Bytes);
        var layers = root["config"]!["layers"]!.AsArray().Select(l => l!.AsObject()).ToList();
        layers.Select(l => l["class_name"]!.GetValue<string>()).Should().Equal(
            "InputLayer", "Conv2D", "BatchNormalization", "MaxPooling2D", "Conv2D", "AveragePooling2D", "Reshape",
            "GlobalAveragePooling2D", "Flatten", "Dropout", "Dense");
        foreach (var layer in layers)
        {
            layer["module"]!.GetValue<string>().Should().Be("keras.layers");
            layer["registered_name"].Should().BeNull();
        }

        layers[0]["config"]!["batch_shape"]!.ToJsonString().Should().Be("[null,10,10,2]");
        var names = s_saved.Value.Model.Layers.Select(l => l.Name).ToList();

        AssertConfig(layers[1], names[0], """
            {"filters":4,"kernel_size":[3,3],"strides":[2,2],"padding":"same","data_format":"channels_last","dilation_rate":[1,1],"groups":1,
             "activation":"relu","use_bias":true,"kernel_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,
             "kernel_constraint":null,"bias_constraint":null}
            """);
        layers[1]["config"]!["kernel_initializer"]!["class_name"]!.GetValue<string>().Should().Be("GlorotUniform");
        layers[1]["config"]!["kernel_initializer"]!["module"]!.GetValue<string>().Should().Be("keras.initializers");
        layers[1]["config"]!["bias_initializer"]!["class_name"]!.GetValue<string>().Should().Be("Zeros");
        layers[1]["build_config"]!["input_shape"]!.ToJsonString().Should().Be("[null,10,10,2]");
        AssertConfig(layers[3], names[2], """{"pool_size":[2,2],"padding":"valid","strides":[1,1],"data_format":"channels_last"}""");
        AssertConfig(layers[4], names[3], """
            {"filters":6,"kernel_size":[2,3],"strides":[1,1],"padding":"valid","data_format":"channels_last","dilation_rate":[1,1],"groups":1,
             "activation":"relu","use_bias":true}
            """);
        layers[4]["build_config"]!["input_shape"]!.ToJsonString().Should().Be("[null,4,4,4]");
        AssertConfig(layers[5], names[4], """{"pool_size":[2,2],"padding":"same","strides":[2,2],"data_format":"channels_last"}""");
        AssertConfig(layers[6], names[5], """{"target_shape":[1,2,6]}""");
        AssertConfig(layers[7], names[6], """{"data_format":"channels_last","keepdims":true}""");
        AssertConfig(layers[8], names[7], """{"data_format":"channels_last"}""");

        // Keras 3's key order: the base layer's name, trainable and dtype, then the class's own keys.
        layers[1]["config"]!.AsObject().Select(p => p.Key).Should().Equal(
            "name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
            "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "bias_constraint");
        layers[3]["config"]!.AsObject().Select(p => p.Key).Should().Equal("name", "trainable", "dtype", "pool_size", "padding", "strides", "data_format");
    }

    [Fact]
    public void Conv2D_kernels_are_stored_in_model_weights_h5_as_kh_kw_in_out()
    {
        using var zip = new ZipArchive(new MemoryStream(s_saved.Value.Bytes), ZipArchiveMode.Read);
        using var h5 = H5File.Open(new MemoryStream(ReadMember(zip, "model.weights.h5")), leaveOpen: false);

        h5.Dataset("layers/conv2d/vars/0").Space.Dimensions.Should().Equal(3UL, 3UL, 2UL, 4UL);
        h5.Dataset("layers/conv2d/vars/1").Space.Dimensions.Should().Equal(4UL);
        h5.Dataset("layers/conv2d_1/vars/0").Space.Dimensions.Should().Equal(2UL, 3UL, 4UL, 6UL);
        h5.Dataset("layers/conv2d_1/vars/1").Space.Dimensions.Should().Equal(6UL);
        h5.Group("layers/conv2d/vars").Attribute("name").Read<string>().Should().Be(s_saved.Value.Model.Layers[0].Name);
        foreach (string group in new[] { "max_pooling2d", "average_pooling2d", "reshape", "global_average_pooling2d", "flatten", "dropout" })
        {
            h5.Group($"layers/{group}/vars").Children().Should().BeEmpty(group);
        }

        var kernel = ((Conv2D)s_saved.Value.Model.Layers[3]).Kernel!;
        h5.Dataset("layers/conv2d_1/vars/0").Read<float[]>().Should().Equal(kernel.ToArray(), "the values are the kernel's, row-major [kh, kw, in, out]");
    }

    [Fact]
    public void Cnn_weights_round_trip_through_a_weights_h5_file_into_a_freshly_built_model()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.TrainedCnn();
        var (x, _) = SavingTestSupport.CnnData();
        model.SaveWeights(temp.File("cnn.weights.h5"));

        var fresh = SavingTestSupport.CnnModel();
        fresh.LoadWeights(temp.File("cnn.weights.h5"));

        SavingTestSupport.AssertSameWeights(model, fresh);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), fresh.Predict(x).AsSpan(), "predictions");
        fresh.Optimizer!.Iterations.Should().Be(model.Optimizer!.Iterations);
        var expected = model.Optimizer.SlotVariables;
        var actual = fresh.Optimizer.SlotVariables;
        actual.Count.Should().Be(expected.Count).And.Be(2 * 8, "Adam's m and v for 8 trainable variables (2 kernels, 2 biases, gamma, beta, Dense)");
        for (int i = 0; i < expected.Count; i++)
        {
            TensorAssert.BitEqual(expected[i].Value.AsSpan(), actual[i].Value.AsSpan(), $"slot {i}");
        }
    }

    [Fact]
    public void A_Keras_2_legacy_h5_file_of_the_cnn_loads_with_the_same_predictions()
    {
        using var temp = SavingTestSupport.Temp();
        var model = s_saved.Value.Model;
        var (x, _) = SavingTestSupport.CnnData();
        LegacyH5Writer.Write(model, temp.File("cnn.h5"));

        var loaded = Model.Load(temp.File("cnn.h5"));

        loaded.Layers.Select(l => l.GetType()).Should().Equal(model.Layers.Select(l => l.GetType()));
        loaded.Layers.OfType<Conv2D>().Select(c => (c.Filters, c.KernelSize, c.Strides, c.Padding))
            .Should().Equal((4, (3, 3), (2, 2), "same"), (6, (2, 3), (1, 1), "valid"));
        SavingTestSupport.AssertSameWeights(model, loaded);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
    }

    [Fact]
    public void A_TensorFlow_js_layers_model_of_the_cnn_loads_with_the_same_predictions()
    {
        using var temp = SavingTestSupport.Temp();
        var model = s_saved.Value.Model;
        var (x, _) = SavingTestSupport.CnnData();
        string json = TfjsWriter.Write(model, temp.Path);

        var fromFile = Model.Load(json);
        var fromFolder = Model.Load(temp.Path);

        SavingTestSupport.AssertSameWeights(model, fromFile);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), fromFile.Predict(x).AsSpan(), "predictions");
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), fromFolder.Predict(x).AsSpan(), "predictions (folder)");
    }

    [Theory]
    [InlineData("keras")]
    [InlineData("weights")]
    [InlineData("legacy")]
    [InlineData("tfjs")]
    public void A_dilated_bias_free_cnn_with_global_max_pooling_loads_from_every_format_with_the_same_predictions(string format)
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(
            new Input(9, 8, 3),
            new Conv2D(5, (3, 2), dilationRate: (2, 1), useBias: false, activation: "tanh"),  // [5, 7, 5]
            new AveragePooling2D((2, 3), strides: (1, 2)),                                    // [4, 3, 5]
            new Conv2D(4, 1, activation: "sigmoid"),                                          // [4, 3, 4]
            new GlobalMaxPooling2D(),                                                         // [4]
            new Dense(2));
        var x = Tensor.FromArray(SavingTestSupport.CnnData(4).X.ToArray()[..(3 * 9 * 8 * 3)], 3, 9, 8, 3); // 4 × 200 values, reshaped

        Model loaded;
        switch (format)
        {
            case "keras":
                model.Save(temp.File("m.keras"));
                loaded = Model.Load(temp.File("m.keras"));
                break;
            case "weights":
                model.SaveWeights(temp.File("m.weights.h5"));
                loaded = new Sequential(new Input(9, 8, 3), new Conv2D(5, (3, 2), dilationRate: (2, 1), useBias: false, activation: "tanh"),
                    new AveragePooling2D((2, 3), strides: (1, 2)), new Conv2D(4, 1, activation: "sigmoid"), new GlobalMaxPooling2D(), new Dense(2));
                loaded.LoadWeights(temp.File("m.weights.h5"));
                break;
            case "legacy":
                LegacyH5Writer.Write(model, temp.File("m.h5"));
                loaded = Model.Load(temp.File("m.h5"));
                break;
            default:
                loaded = Model.Load(TfjsWriter.Write(model, temp.Path));
                break;
        }

        loaded.Layers.OfType<Conv2D>().Select(c => (c.KernelSize, c.DilationRate, c.UseBias))
            .Should().Equal(((3, 2), (2, 1), false), ((1, 1), (1, 1), true));
        loaded.Layers.OfType<AveragePooling2D>().Single().Strides.Should().Be((1, 2));
        SavingTestSupport.AssertSameWeights(model, loaded);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
    }

    [Theory]
    [InlineData("Conv2D", "data_format", "\"channels_first\"", "channels_first")]
    [InlineData("Conv2D", "groups", "2", "groups = 2")]
    [InlineData("Conv2D", "padding", "\"causal\"", "causal")]
    [InlineData("MaxPooling2D", "data_format", "\"channels_first\"", "channels_first")]
    [InlineData("MaxPooling2D", "padding", "\"full\"", "full")]
    [InlineData("AveragePooling2D", "data_format", "\"channels_first\"", "channels_first")]
    [InlineData("GlobalAveragePooling2D", "data_format", "\"channels_first\"", "channels_first")]
    [InlineData("AveragePooling2D", "padding", "\"causal\"", "causal")]
    public void A_keras_file_with_a_setting_KerasNotes_cannot_run_is_refused_naming_the_layer_and_the_value(string className, string key, string json, string shown)
    {
        string name = string.Empty;
        var bytes = EditConfig(s_saved.Value.Bytes, root =>
        {
            var config = Layer(root, className);
            name = config["name"]!.GetValue<string>();
            config[key] = JsonNode.Parse(json);
        });

        var e = LoadBytes(bytes).Should().Throw<ModelFormatException>().Which;
        output.WriteLine(e.Message);

        e.Message.Should().Contain($"'{name}'").And.Contain(shown).And.Contain(className);
        e.Entry.Should().Contain("config.json");
    }

    [Fact]
    public void A_legacy_h5_file_with_a_channels_first_convolution_is_refused_naming_the_layer()
    {
        using var temp = SavingTestSupport.Temp();
        var model = s_saved.Value.Model;
        string name = model.Layers[0].Name;
        var topology = Keras2Topology.Of(model, (cls, config) =>
        {
            if (cls == "Conv2D")
            {
                config["data_format"] = "channels_first";
            }
        });
        LegacyH5Writer.Write(model, temp.File("cnn.h5"), topology);

        var act = () => Model.Load(temp.File("cnn.h5"));

        act.Should().Throw<ModelFormatException>().WithMessage($"*'{name}'*channels_first*");
    }

    [Fact]
    public void A_cnn_config_whose_kernels_need_more_weights_than_the_file_holds_is_refused_before_allocating_them()
    {
        string name = s_saved.Value.Model.Layers[0].Name;
        var bytes = EditConfig(s_saved.Value.Bytes, root => Layer(root, "Conv2D")["filters"] = 1_000_000); // a [3, 3, 2, 10⁶] kernel and 10⁶ biases: 76 MB

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadBytes(bytes).Should().Throw<ModelFormatException>().Which;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        e.Reason.Should().Contain($"layer '{name}' (Conv2D)").And.Contain("19000000 weights").And.Contain("more than the file's");
        allocated.Should().BeLessThan(16L << 20, "the plan is checked before any weight exists");
    }

    [Theory]
    [InlineData("Conv2D", "kernel_size", "[11, 11]", "larger than the input")]
    [InlineData("Conv2D", "kernel_size", "[3, 2147483647]", "more than the file's")]
    [InlineData("Conv2D", "dilation_rate", "[6, 1]", "larger than the input")]
    [InlineData("MaxPooling2D", "pool_size", "[9, 9]", "larger than the input")]
    public void A_window_larger_than_its_input_in_a_file_is_refused_with_ModelFormatException(string className, string key, string json, string reason)
    {
        string name = string.Empty;
        var bytes = EditConfig(s_saved.Value.Bytes, root =>
        {
            var config = Layer(root, className);
            name = config["name"]!.GetValue<string>();
            config[key] = JsonNode.Parse(json);
            if (className == "Conv2D")
            {
                config["strides"] = JsonNode.Parse("[1, 1]");
                config["padding"] = "valid";
            }
        });

        var e = LoadBytes(bytes).Should().Throw<ModelFormatException>().Which;
        output.WriteLine(e.Message);
        e.Message.Should().Contain($"'{name}'").And.Contain(reason);
    }

    [Theory]
    [InlineData(3, "[2147483647, 1]", "[10, 1]")]
    [InlineData(3, "[1, 1073741824]", "[1, 10]")]
    [InlineData(3, "[2147483647, 2147483647]", "[10, 10]")]
    [InlineData(4, "[2147483647, 1]", "[20, 1]")]
    [InlineData(4, "[2147483647, 2147483647]", "[20, 20]")]
    public void A_file_with_a_huge_dilation_and_same_padding_predicts_as_a_dilation_just_past_the_input(int kernel, string huge, string equivalent)
    {
        // With "same" padding the output shape does not depend on the dilation, so the file's weights still fit; a
        // dilation far past the input's size leaves the same taps (the centre one of an odd kernel, none of an even
        // one) on real pixels, whatever its value, so index arithmetic that overflowed int would show as a
        // difference (or a crash).
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(10, 10, 2), new Conv2D(2, kernel, padding: "same", dilationRate: 2), new Flatten(), new Dense(1));
        model.Save(temp.File("dilated.keras"));
        byte[] saved = File.ReadAllBytes(temp.File("dilated.keras"));
        var (x, _) = SavingTestSupport.CnnData(4);

        var loaded = LoadBytes(EditConfig(saved, root => Layer(root, "Conv2D")["dilation_rate"] = JsonNode.Parse(huge)))();
        var reference = LoadBytes(EditConfig(saved, root => Layer(root, "Conv2D")["dilation_rate"] = JsonNode.Parse(equivalent)))();

        TensorAssert.BitEqual(reference.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), $"dilation {huge} against {equivalent}");
    }

    // ------------------------------------------------------------------ helpers

    private static Func<Model> LoadBytes(byte[] bytes) => () => ModelFiles.Load(bytes, "cnn.keras", null);

    private static JsonObject Config(byte[] keras)
    {
        using var zip = new ZipArchive(new MemoryStream(keras), ZipArchiveMode.Read);
        return JsonNode.Parse(ReadMember(zip, "config.json"))!.AsObject();
    }

    /// <summary>The config of the first layer of class <paramref name="className"/>.</summary>
    private static JsonObject Layer(JsonObject root, string className) =>
        root["config"]!["layers"]!.AsArray().First(l => l!["class_name"]!.GetValue<string>() == className)!["config"]!.AsObject();

    /// <summary>The archive with its config.json edited, the other members as they were.</summary>
    private static byte[] EditConfig(byte[] keras, Action<JsonObject> edit)
    {
        using var source = new ZipArchive(new MemoryStream(keras), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                byte[] data = ReadMember(source, entry.FullName);
                if (entry.FullName == "config.json")
                {
                    var root = JsonNode.Parse(data)!.AsObject();
                    edit(root);
                    data = Encoding.UTF8.GetBytes(root.ToJsonString());
                }

                using var s = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }

        return output.ToArray();
    }

    private static void AssertConfig(JsonObject layer, string name, string expectedJson)
    {
        var config = layer["config"]!.AsObject();
        config["name"]!.GetValue<string>().Should().Be(name);
        config["trainable"]!.GetValue<bool>().Should().BeTrue();
        config["dtype"]!["class_name"]!.GetValue<string>().Should().Be("DTypePolicy");
        foreach (var (key, value) in JsonNode.Parse(expectedJson)!.AsObject())
        {
            config.ContainsKey(key).Should().BeTrue($"{name} has '{key}'");
            JsonNode.DeepEquals(config[key], value).Should().BeTrue($"{name}.{key} is {value?.ToJsonString() ?? "null"}, found {config[key]?.ToJsonString() ?? "null"}");
        }
    }

    private static byte[] ReadMember(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
