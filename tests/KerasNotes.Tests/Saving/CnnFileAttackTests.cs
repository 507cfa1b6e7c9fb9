using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// An outside attack on CNN files through the public API: configs edited the way a hostile or foreign file would
/// have them are refused with <see cref="ModelFormatException"/> (never another exception), Keras's defaults and
/// spellings are written and read as Keras does, and CNN predictions survive both file kinds.
/// </summary>
public sealed class CnnFileAttackTests(ITestOutputHelper output)
{
    private static Sequential Cnn() => new(
        new Input(9, 8, 2),
        new Conv2D(3, (3, 2), strides: (2, 1), padding: "same", activation: "relu", kernelInitializer: new GlorotUniform(1)),
        new MaxPooling2D(3, padding: "same"),
        new Reshape(-1, 3),
        new Reshape(2, -1, 3),
        new GlobalMaxPooling2D(),
        new Dense(2, kernelInitializer: new GlorotUniform(2)));

    private static string Saved(TempFolder temp, Sequential model, string name = "m.keras")
    {
        string path = temp.File(name);
        model.Save(path);
        return path;
    }

    private static JsonObject Config(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var s = zip.GetEntry("config.json")!.Open();
        return JsonNode.Parse(s)!.AsObject();
    }

    private static JsonArray Layers(JsonObject root) => root["config"]!["layers"]!.AsArray();

    /// <summary>A copy of the archive at <paramref name="path"/> with its config.json edited.</summary>
    private static string Edited(TempFolder temp, string path, Action<JsonObject> edit)
    {
        string target = temp.File(Guid.NewGuid().ToString("N") + ".keras");
        using var source = ZipFile.OpenRead(path);
        using (var zip = ZipFile.Open(target, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                using var buffer = new MemoryStream();
                input.CopyTo(buffer);
                byte[] data = buffer.ToArray();
                if (entry.FullName == "config.json")
                {
                    var root = JsonNode.Parse(data)!.AsObject();
                    edit(root);
                    data = Encoding.UTF8.GetBytes(root.ToJsonString());
                }

                using var s = zip.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }

        return target;
    }

    private static JsonObject LayerConfig(JsonObject root, string className) =>
        Layers(root).First(l => l!["class_name"]!.GetValue<string>() == className)!["config"]!.AsObject();

    [Fact]
    public void Keras_defaults_and_minus_one_are_written_as_Keras_writes_them()
    {
        using var temp = SavingTestSupport.Temp();
        var root = Config(Saved(temp, Cnn()));
        var layers = Layers(root);
        layers[2]!["config"]!["strides"]!.ToJsonString().Should().Be("[3,3]", "pooling strides default to the pool size");
        layers[3]!["config"]!["target_shape"]!.ToJsonString().Should().Be("[-1,3]", "Keras writes a Reshape's -1 as -1");
        layers[4]!["config"]!["target_shape"]!.ToJsonString().Should().Be("[2,-1,3]");
        layers[5]!["config"]!["keepdims"]!.GetValue<bool>().Should().BeFalse();
        layers[5]!["config"]!.AsObject().Select(p => p.Key).Should().Equal("name", "trainable", "dtype", "data_format", "keepdims");
        layers[3]!["config"]!.AsObject().Select(p => p.Key).Should().Equal("name", "trainable", "dtype", "target_shape");
    }

    [Fact]
    public void A_cnn_predicts_the_same_bits_after_a_keras_file_and_after_a_weights_file()
    {
        using var temp = SavingTestSupport.Temp();
        var model = Cnn();
        model.Compile("adam", "mse");
        var x = GradientCheck.Random(4, -1f, 1f, 5, 9, 8, 2);
        model.Fit(x, GradientCheck.Random(5, -1f, 1f, 5, 2), batchSize: 2, epochs: 2, verbose: 0);
        var expected = model.Predict(x);

        var loaded = Model.Load(Saved(temp, model));
        TensorAssert.BitEqual(expected.AsSpan(), loaded.Predict(x).AsSpan(), ".keras");
        model.SaveWeights(temp.File("m.weights.h5"));
        var fresh = Cnn();
        fresh.LoadWeights(temp.File("m.weights.h5"));
        TensorAssert.BitEqual(expected.AsSpan(), fresh.Predict(x).AsSpan(), ".weights.h5");
    }

    [Theory]
    [InlineData("[65536, 65536, 65536, 65536, -1]")]
    [InlineData("[2147483647, 2147483647, 2147483647, -1]")]
    [InlineData("[2147483647, 2147483647]")]
    [InlineData("[4294967296, -1]")]
    [InlineData("[-1, 0]")]
    [InlineData("[1.5, -1]")]
    [InlineData("\"12\"")]
    public void A_reshape_with_an_absurd_target_shape_in_a_file_is_refused_with_ModelFormatException(string target)
    {
        using var temp = SavingTestSupport.Temp();
        string path = Saved(temp, Cnn());
        string bad = Edited(temp, path, root => LayerConfig(root, "Reshape")["target_shape"] = JsonNode.Parse(target));
        var e = FluentActions.Invoking(() => Model.Load(bad)).Should().Throw<ModelFormatException>().Which;
        output.WriteLine(e.Message);
        e.Message.Should().ContainAny("target_shape", "Reshape");
    }

    [Theory]
    [InlineData("Conv2D", "padding", "\"SAME\"")]
    [InlineData("Conv2D", "padding", "\"Valid\"")]
    [InlineData("MaxPooling2D", "padding", "\"SAME\"")]
    public void Padding_names_in_another_case_load_as_in_Keras(string className, string key, string value)
    {
        // Keras lower-cases the padding (standardize_padding for convolutions, the pooling ops for pooling).
        using var temp = SavingTestSupport.Temp();
        var model = Cnn();
        string path = Saved(temp, model);
        string edited = Edited(temp, path, root => LayerConfig(root, className)[key] = JsonNode.Parse(value));
        var x = GradientCheck.Random(6, -1f, 1f, 3, 9, 8, 2);
        var loaded = Model.Load(edited);
        if (value.Contains("Valid", StringComparison.Ordinal))
        {
            loaded.Layers[0].ComputeOutputShape(new Shape(-1, 9, 8, 2)).Should().Be(new Shape(-1, 4, 7, 3));
            return;
        }

        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), $"{className} {key} {value}");
    }

    [Theory]
    [InlineData("pool_size", "[2147483647, 2147483647]")]
    [InlineData("pool_size", "[1073741824, 3]")]
    public void A_same_padded_pool_of_any_size_in_a_file_loads_and_predicts_promptly(string key, string value)
    {
        using var temp = SavingTestSupport.Temp();
        string path = Saved(temp, new Sequential(new Input(6, 5, 2), new MaxPooling2D(2, padding: "same"), new Flatten(), new Dense(2)));
        // The strides stay [2, 2], so the output shape (3×3, ceil(in / stride)) and the Dense weights still fit.
        string edited = Edited(temp, path, root => LayerConfig(root, "MaxPooling2D")[key] = JsonNode.Parse(value));
        var loaded = Model.Load(edited);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        loaded.Predict(GradientCheck.Random(7, -1f, 1f, 8, 6, 5, 2)).Shape.Should().Be(new Shape(8, 2));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("SparseCategoricalCrossentropy", "ignore_class", "0")]
    [InlineData("SparseCategoricalCrossentropy", "axis", "1")]
    [InlineData("CategoricalCrossentropy", "axis", "1")]
    [InlineData("BinaryCrossentropy", "axis", "0")]
    public void A_loss_config_asking_for_what_KerasNotes_cannot_compute_is_refused_naming_the_key(string className, string key, string value)
    {
        // A Keras file whose loss masks a class or reduces another axis would otherwise load and train on another loss.
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(4), new Dense(3, activation: "softmax"));
        model.Compile("sgd", className switch
        {
            "SparseCategoricalCrossentropy" => new KerasNotes.Losses.SparseCategoricalCrossentropy(),
            "CategoricalCrossentropy" => new KerasNotes.Losses.CategoricalCrossentropy(),
            _ => new KerasNotes.Losses.BinaryCrossentropy(),
        });
        string path = Saved(temp, model);
        Model.Load(path).CompiledLoss.Should().NotBeNull();
        string edited = Edited(temp, path, root => root["compile_config"]!["loss"]!["config"]![key] = JsonNode.Parse(value));
        var e = FluentActions.Invoking(() => Model.Load(edited)).Should().Throw<ModelFormatException>().Which;
        output.WriteLine(e.Message);
        e.Message.Should().Contain(key);
    }

    private static readonly string[] s_values =
    [
        "0", "-1", "1", "2", "3", "7", "1000000000", "2147483647", "-2147483648", "2147483648", "1.5", "\"3\"", "null", "[]",
        "[1]", "[2, 2]", "[0, 2]", "[2147483647, 1]", "[1, 2147483647]", "[3, 3, 3]", "true", "[-1, 3]", "[65536, 65536]",
        "\"same\"", "\"valid\"", "\"SAME\"", "\"full\"", "{}", "[null, 2]",
    ];

    private static readonly (string Class, string Key)[] s_targets =
    [
        ("Conv2D", "filters"), ("Conv2D", "kernel_size"), ("Conv2D", "strides"), ("Conv2D", "dilation_rate"), ("Conv2D", "padding"),
        ("Conv2D", "groups"), ("Conv2D", "use_bias"), ("MaxPooling2D", "pool_size"), ("MaxPooling2D", "strides"),
        ("MaxPooling2D", "padding"), ("Reshape", "target_shape"), ("GlobalMaxPooling2D", "keepdims"),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Random_conv_and_pool_values_in_a_file_load_and_predict_or_are_refused_by_name(int seed)
    {
        using var temp = SavingTestSupport.Temp();

        // Odd seeds use a model without weights, so that most edits still load and reach Predict.
        bool weightless = seed % 2 == 1;
        string path = Saved(temp, weightless
            ? new Sequential(new Input(9, 8, 2), new MaxPooling2D(3, padding: "same"), new Reshape(-1, 2), new Reshape(3, -1, 2), new GlobalMaxPooling2D())
            : Cnn());
        var targets = weightless ? s_targets.Where(t => t.Class != "Conv2D").ToArray() : s_targets;
        var rng = new System.Random(seed);
        var x = GradientCheck.Random(8, -1f, 1f, 2, 9, 8, 2);
        int loaded = 0;
        for (int i = 0; i < 60; i++)
        {
            var edits = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => (targets[rng.Next(targets.Length)], s_values[rng.Next(s_values.Length)])).ToList();
            string what = string.Join("; ", edits.Select(e => $"{e.Item1.Class}.{e.Item1.Key} = {e.Item2}"));
            string edited = Edited(temp, path, root =>
            {
                foreach (var ((cls, key), value) in edits)
                {
                    LayerConfig(root, cls)[key] = JsonNode.Parse(value);
                }
            });
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var model = Model.Load(edited);
                loaded++;
                try
                {
                    model.Predict(x);
                }
                catch (ArgumentException e)
                {
                    output.WriteLine($"{what}: predict refused: {e.Message}");
                }
            }
            catch (ModelFormatException e)
            {
                e.Message.Should().NotBeNullOrWhiteSpace();
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            finally
            {
                File.Delete(edited);
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), what);
        }

        output.WriteLine($"{loaded} of 60 edited files loaded");
    }
}
