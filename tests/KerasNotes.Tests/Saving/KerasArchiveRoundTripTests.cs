using System.IO.Compression;
using PureHDF;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>Model.Save / Model.Load: the .keras archive round trip and the layout Keras expects (spec §27, §30).</summary>
public sealed class KerasArchiveRoundTripTests
{
    [Fact]
    public void Save_then_Load_restores_architecture_weights_and_predictions_bit_for_bit()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData();
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        string path = temp.File("m.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        loaded.Should().BeOfType<Sequential>();
        loaded.Name.Should().Be(model.Name);
        loaded.Layers.Select(l => l.GetType()).Should().Equal(model.Layers.Select(l => l.GetType()));
        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        SavingTestSupport.AssertSameWeights(model, loaded);
        TensorAssert.BitEqual(model.Predict(x).AsSpan(), loaded.Predict(x).AsSpan(), "predictions");
    }

    [Fact]
    public void Load_restores_the_compile_config_and_the_optimizer_state()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"));

        loaded.IsCompiled.Should().BeTrue();
        loaded.Optimizer.Should().BeOfType<Adam>();
        loaded.Optimizer!.Iterations.Should().Be(model.Optimizer!.Iterations).And.Be(4);
        loaded.Optimizer.LearningRate.Should().Be(model.Optimizer.LearningRate);
        loaded.CompiledLoss.Should().BeOfType<KerasNotes.Losses.SparseCategoricalCrossentropy>();
        loaded.MetricsNames.Should().Equal(model.MetricsNames);
        var expected = model.Optimizer.SlotVariables;
        var actual = loaded.Optimizer.SlotVariables;
        actual.Count.Should().Be(expected.Count).And.Be(12);
        for (int i = 0; i < expected.Count; i++)
        {
            TensorAssert.BitEqual(expected[i].Value.AsSpan(), actual[i].Value.AsSpan(), $"slot {i}");
        }
    }

    [Fact]
    public void The_archive_holds_three_stored_members_in_Keras_order()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        model.Save(temp.File("m.keras"));

        using var zip = ZipFile.OpenRead(temp.File("m.keras"));
        zip.Entries.Select(e => e.FullName).Should().Equal("metadata.json", "config.json", "model.weights.h5");
        foreach (var e in zip.Entries)
        {
            e.CompressedLength.Should().Be(e.Length, $"{e.FullName} is stored uncompressed as Keras writes it");
        }

        var metadata = JsonNode.Parse(Read(zip, "metadata.json"))!.AsObject();
        metadata["keras_version"]!.GetValue<string>().Should().StartWith("3.");
        metadata["date_saved"]!.GetValue<string>().Should().MatchRegex(@"^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$");
    }

    [Fact]
    public void Config_json_is_one_line_with_Pythons_separators_and_the_Keras_envelope()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential([new Input(4), new Dense(8, activation: "relu", name: "d1"), new Dropout(0.5, name: "drop"),
            new BatchNormalization(name: "bn"), new Dense(1, name: "d2")], name: "seq_cfg");
        model.Compile(optimizer: new Adam(learningRate: 0.001), loss: "mse", metrics: ["mae"]);
        model.Save(temp.File("m.keras"));
        using var zip = ZipFile.OpenRead(temp.File("m.keras"));
        string text = Read(zip, "config.json");

        text.Should().NotContain("\n");
        text.Should().StartWith("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"seq_cfg\", \"trainable\": true, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}, \"layers\": [");
        text.Should().Contain("{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": ");
        text.Should().Contain("\"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null, \"input_axes\": null, \"output_axes\": null}, \"registered_name\": null}");
        text.Should().Contain("\"registered_name\": null, \"build_config\": {\"input_shape\": [null, 4]}}");
        text.Should().Contain("\"rate\": 0.5, \"seed\": null, \"noise_shape\": null}");
        text.Should().Contain("\"build_input_shape\": [null, 4]}, \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 4]}, \"compile_config\": {\"optimizer\": {\"module\": \"keras.optimizers\", \"class_name\": \"Adam\", \"config\": {\"name\": \"adam\", \"learning_rate\": 0.0010000000474974513, \"weight_decay\": null, \"clipnorm\": null, \"global_clipnorm\": null, \"clipvalue\": null, \"use_ema\": false, \"ema_momentum\": 0.99, \"ema_overwrite_frequency\": null, \"loss_scale_factor\": null, \"gradient_accumulation_steps\": null, \"beta_1\": 0.9, \"beta_2\": 0.999, \"epsilon\": 1e-07, \"amsgrad\": false}, \"registered_name\": null}, \"loss\": \"mse\", \"loss_weights\": null, \"metrics\": [\"mae\"], \"weighted_metrics\": null, \"run_eagerly\": false, \"steps_per_execution\": 1, \"jit_compile\": false}}");
    }

    [Fact]
    public void An_uncompiled_model_saves_an_empty_compile_config_and_loads_uncompiled()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(3), new Dense(2));
        model.Save(temp.File("m.keras"));
        using (var zip = ZipFile.OpenRead(temp.File("m.keras")))
        {
            Read(zip, "config.json").Should().EndWith("\"compile_config\": {}}");
        }

        var loaded = Model.Load(temp.File("m.keras"));
        loaded.IsCompiled.Should().BeFalse();
        SavingTestSupport.AssertSameWeights(model, loaded);
    }

    [Fact]
    public void The_weights_member_uses_Keras_group_names_with_a_vars_group_per_layer()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential([new Input(4), new Dense(8), new Dropout(0.5), new Dense(8), new BatchNormalization(), new Dense(1)]);
        model.Compile(optimizer: "adam", loss: "mse");
        var (x, _) = SavingTestSupport.SmallData(8);
        model.Fit(x, Tensor.Zeros(8, 1), batchSize: 8, epochs: 1, verbose: 0);
        model.Save(temp.File("m.keras"));

        using var zip = ZipFile.OpenRead(temp.File("m.keras"));
        var bytes = ReadBytes(zip, "model.weights.h5");
        using var h5 = PureHDF.H5File.Open(new MemoryStream(bytes), leaveOpen: false);
        h5.Group("vars").Attribute("name").Read<string>().Should().Be(model.Name);
        foreach (var (group, count) in new[] { ("dense", 2), ("dropout", 0), ("dense_1", 2), ("batch_normalization", 4), ("dense_2", 2) })
        {
            h5.Group($"layers/{group}/vars").Children().Count().Should().Be(count, group);
        }

        h5.Group("layers/dense/vars").Attribute("name").Read<string>().Should().Be(model.Layers[0].Name);
        h5.Dataset("layers/dense/vars/0").Space.Dimensions.Should().Equal(4UL, 8UL);
        var it = h5.Dataset("optimizer/vars/0");
        it.Type.Class.Should().Be(PureHDF.H5DataTypeClass.FixedPoint);
        it.Type.Size.Should().Be(8);
        it.Read<long>().Should().Be(1);
        h5.Dataset("optimizer/vars/1").Read<float>().Should().Be(0.001f);
        h5.Group("optimizer/vars").Children().Count().Should().Be(2 + (2 * 8), "iteration, learning_rate, then m and v for 8 trainable variables");
        h5.Dataset("optimizer/vars/2").Space.Dimensions.Should().Equal(4UL, 8UL);
        h5.Dataset("optimizer/vars/4").Space.Dimensions.Should().Equal(8UL);
    }

    [Fact]
    public void LoadWeights_into_a_compiled_untrained_model_builds_its_optimizer_and_restores_the_state()
    {
        using var temp = SavingTestSupport.Temp();
        var trained = SavingTestSupport.SmallModel(dropout: false);
        var (x, y) = SavingTestSupport.SmallData();
        trained.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        trained.SaveWeights(temp.File("w.weights.h5"));

        var fresh = SavingTestSupport.SmallModel(dropout: false);
        fresh.Optimizer!.IsBuilt.Should().BeFalse();
        fresh.LoadWeights(temp.File("w.weights.h5"));

        fresh.Optimizer.IsBuilt.Should().BeTrue();
        fresh.Optimizer.Iterations.Should().Be(trained.Optimizer!.Iterations);
        trained.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        fresh.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        SavingTestSupport.AssertSameWeights(trained, fresh);
    }

    [Fact]
    public void LoadWeights_accepts_a_keras_archive_and_ignores_layer_names()
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel(dropout: false);
        model.Save(temp.File("m.keras"));
        var other = SavingTestSupport.SmallModel(dropout: false);
        other.Layers.Select(l => l.Name).Should().NotEqual(model.Layers.Select(l => l.Name));

        other.LoadWeights(temp.File("m.keras"));
        SavingTestSupport.AssertSameWeights(model, other);
    }

    [Fact]
    public void A_frozen_layer_and_custom_initializer_and_regularizer_settings_survive_the_round_trip()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(
            new Input(6),
            new Dense(5, activation: "tanh", useBias: false, kernelInitializer: new KerasNotes.Initializers.HeNormal(seed: 3),
                kernelRegularizer: new KerasNotes.Regularizers.L2(0.02), activityRegularizer: new KerasNotes.Regularizers.L1(0.001)),
            new BatchNormalization(momentum: 0.9, epsilon: 0.01, center: false, trainable: false),
            new Dropout(0.25, noiseShape: [-1, 5], seed: 11),
            new Flatten(),
            new Activation("softmax"));
        model.Compile(optimizer: new KerasNotes.Optimizers.SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, clipNorm: 1.0), loss: "categorical_crossentropy");
        model.Save(temp.File("m.keras"));

        var loaded = (Sequential)Model.Load(temp.File("m.keras"));
        for (int i = 0; i < model.Layers.Count; i++)
        {
            loaded.Layers[i].GetConfig().Should().BeEquivalentTo(model.Layers[i].GetConfig(), o => o.RespectingRuntimeTypes(), $"layer {i}");
        }

        loaded.Layers[1].Trainable.Should().BeFalse();
        loaded.Optimizer!.GetConfig().Should().Equal(model.Optimizer!.GetConfig());
        loaded.InputLayer!.BatchShape.Should().Be(model.InputLayer!.BatchShape);
    }

    [Fact]
    public void Loss_and_metric_objects_come_back_with_their_settings()
    {
        using var temp = SavingTestSupport.Temp();
        var model = new Sequential(new Input(3), new Dense(1));
        model.Compile(optimizer: new KerasNotes.Optimizers.RMSprop(learningRate: 0.01, centered: true),
            loss: new KerasNotes.Losses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1),
            metrics: [new KerasNotes.Metrics.BinaryAccuracy(threshold: 0.7), "mae"]);
        model.Save(temp.File("m.keras"));

        var loaded = Model.Load(temp.File("m.keras"));
        loaded.CompiledLoss!.GetConfig().Should().Equal(model.CompiledLoss!.GetConfig());
        loaded.MetricsNames.Should().Equal(model.MetricsNames);
        loaded.CompiledMetrics[0].Should().BeOfType<KerasNotes.Metrics.BinaryAccuracy>().Which.Threshold.Should().Be(0.7);
        loaded.Optimizer!.GetConfig().Should().Equal(model.Optimizer!.GetConfig());
    }

    [Fact]
    public void Save_rejects_other_extensions_with_a_clear_message()
    {
        var model = new Sequential(new Input(3), new Dense(2));
        var act = () => model.Save("model.h5");
        act.Should().Throw<ArgumentException>().WithParameterName("path").WithMessage("*.keras*model.h5*");
        ((Action)(() => model.Save("model.zip"))).Should().Throw<ArgumentException>().WithMessage("*ending in .keras*");
    }

    [Fact]
    public void Load_of_a_missing_file_throws_FileNotFoundException()
    {
        var act = () => Model.Load(Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".keras"));
        act.Should().Throw<FileNotFoundException>();
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    [InlineData("adamw")]
    public void Every_optimizer_round_trips_its_config_and_state(string optimizer)
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel(dropout: false, optimizer: optimizer);
        var (x, y) = SavingTestSupport.SmallData();
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0, shuffle: false);
        model.Save(temp.File("m.keras"));
        var loaded = Model.Load(temp.File("m.keras"));

        loaded.Optimizer!.GetType().Should().Be(model.Optimizer!.GetType());
        loaded.Optimizer.GetConfig().Should().Equal(model.Optimizer.GetConfig());
        loaded.Optimizer.SlotVariables.Count.Should().Be(model.Optimizer.SlotVariables.Count);
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0, shuffle: false);
        SavingTestSupport.AssertSameWeights(model, loaded);
    }

    private static string Read(ZipArchive zip, string name) => Encoding.UTF8.GetString(ReadBytes(zip, name));

    private static byte[] ReadBytes(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
