using System.IO.Compression;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// The six files written by real Keras versions (2.2.4-tf, tf.keras 2.10, 3.3.3, 3.6, 3.8, 3.15) behave as
/// real_keras.json says. The MIT and Apache-2.0 files are copied into Fixtures/real_keras; the others are read
/// in place from ../shared/fixtures/real_keras and their tests are skipped (saying why) when it is absent.
/// </summary>
public sealed class RealKerasFileTests
{
    private static void AssertLoadsAndPredicts(string file)
    {
        var c = SavingTestSupport.RealKerasCase(file);
        var root = Fixture.Load("real_keras/real_keras.json");
        var (abs, rel) = Fixture.Tolerance(root["tolerance"]);
        var model = Model.Load(SavingTestSupport.RealKerasFile(file)!);

        var dense = model.Layers.OfType<Dense>().ToList();
        var layers = c["layers"]!.AsArray();
        dense.Count.Should().Be(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            dense[i].Kernel!.Shape.Should().Be(new Shape(layers[i]![0]!.GetValue<int>(), layers[i]![1]!.GetValue<int>()));
            dense[i].ActivationName.Should().Be(layers[i]![2]!.GetValue<string>());
        }

        var x = Fixture.ToTensor(c["inputs"]!);
        var expected = Fixture.ToTensor(c["expected"]!);
        TensorAssert.Close(expected, model.Predict(x), abs, rel, $"{file} predictions");
    }

    [RealKerasFact("keras3_mnist_mlp.keras")]
    public void A_Keras_3_3_archive_loads_compiled_and_predicts_the_expected_outputs()
    {
        AssertLoadsAndPredicts("keras3_mnist_mlp.keras");
        var model = Model.Load(SavingTestSupport.RealKerasFile("keras3_mnist_mlp.keras")!);
        model.IsCompiled.Should().BeTrue();
        model.Optimizer.Should().BeOfType<KerasNotes.Optimizers.SGD>();
        model.Optimizer!.Iterations.Should().Be(2350);
        model.Optimizer.LearningRate.Should().Be((double)0.15f);
        model.CompiledLoss.Should().BeOfType<KerasNotes.Losses.CategoricalCrossentropy>();
    }

    [RealKerasFact("keras38_churn_legacy.h5")]
    public void A_Keras_3_8_legacy_h5_loads_with_its_training_config_and_optimizer_state()
    {
        AssertLoadsAndPredicts("keras38_churn_legacy.h5");
        var model = Model.Load(SavingTestSupport.RealKerasFile("keras38_churn_legacy.h5")!);
        model.IsCompiled.Should().BeTrue();
        model.Optimizer.Should().BeOfType<KerasNotes.Optimizers.Adam>();
        model.Optimizer!.Iterations.Should().Be(4500);
        model.Optimizer.LearningRate.Should().Be((double)0.01f);
    }

    [RealKerasFact("tfkeras210_regressor_legacy.h5")]
    public void A_tf_keras_2_10_checkpoint_loads_and_predicts_the_expected_outputs()
    {
        AssertLoadsAndPredicts("tfkeras210_regressor_legacy.h5");
        var model = Model.Load(SavingTestSupport.RealKerasFile("tfkeras210_regressor_legacy.h5")!);
        model.IsCompiled.Should().BeTrue();
        model.MetricsNames.Should().Equal("loss", "mae", "mape");
    }

    [Fact]
    public void A_Keras_2_2_4_file_without_weights_loads_as_an_unbuilt_architecture()
    {
        var model = Model.Load(SavingTestSupport.RealKerasFile("keras224_architecture_only.h5")!);

        var seq = model.Should().BeOfType<Sequential>().Subject;
        seq.Built.Should().BeFalse();
        seq.Layers.Select(l => l.GetType().Name).Should().Equal("Flatten", "Dense", "Dropout", "Dense");
        ((Dense)seq.Layers[1]).Units.Should().Be(128);
        ((Dense)seq.Layers[1]).ActivationName.Should().Be("relu");
        ((Dropout)seq.Layers[2]).Rate.Should().Be(0.2);
        ((Dense)seq.Layers[3]).Units.Should().Be(5);
        ((Dense)seq.Layers[3]).ActivationName.Should().Be("softmax");

        seq.Build(28, 28);
        seq.Predict(Tensor.Zeros(2, 28, 28)).Shape.Should().Be(new Shape(2, 5));
    }

    [Fact]
    public void An_unregistered_subclassed_model_is_refused_naming_the_class_and_how_to_register_it()
    {
        string path = SavingTestSupport.RealKerasFile("keras315_custom_subclass.keras")!;
        var act = () => Model.Load(path);

        var e = act.Should().Throw<ModelFormatException>().Which;
        e.Message.Should().Contain("NestedDenseModel").And.Contain("legacy_nested_container>NestedDenseModel").And.Contain("CustomObjects.RegisterLayer");
        e.FilePath.Should().Be(path);
        e.Entry.Should().Be("config.json");
    }

    [Fact]
    public void A_registered_subclassed_model_loads_through_its_factory()
    {
        string path = SavingTestSupport.RealKerasFile("keras315_custom_subclass.keras")!;
        var custom = new CustomObjects().AddLayer("legacy_nested_container>NestedDenseModel", config =>
        {
            config.GetInt32("num").Should().Be(3);
            return new Sequential(
                [new Dense(4, useBias: false), new Dense(4, useBias: false), new Dense(4, useBias: false), new Dense(2)], config.Name);
        });

        var model = Model.Load(path, custom);

        model.Name.Should().Be("nested_dense_model");
        model.Layers.OfType<Dense>().First().Kernel!.Value.ToArray().Should().AllBeEquivalentTo(0.1f);
        ((Dense)model.Layers[3]).Kernel!.Value.ToArray().Should().AllBeEquivalentTo(0.5f);
    }

    [RealKerasFact("keras36_malicious_pickled_npz.keras")]
    public void A_hostile_archive_with_duplicate_members_and_pickled_npz_weights_is_refused()
    {
        string path = SavingTestSupport.RealKerasFile("keras36_malicious_pickled_npz.keras")!;
        var act = () => Model.Load(path);

        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("model.weights.npz").And.Contain("twice");
        var model = new Sequential(new Input(1), new Dense(1));
        var before = model.GetWeights();
        ((Action)(() => model.LoadWeights(path))).Should().Throw<ModelFormatException>();
        TensorAssert.BitEqual(before[0].AsSpan(), model.GetWeights()[0].AsSpan(), "kernel unchanged");
    }

    [RealKerasFact("keras36_malicious_pickled_npz.keras")]
    public void An_archive_whose_weights_are_npz_is_refused_without_reading_them()
    {
        using var temp = SavingTestSupport.Temp();
        string source = SavingTestSupport.RealKerasFile("keras36_malicious_pickled_npz.keras")!;
        string path = temp.File("single_npz.keras");
        using (var src = ZipFile.OpenRead(source))
        using (var dst = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in src.Entries.GroupBy(e => e.FullName).Select(g => g.First()))
            {
                using var from = entry.Open();
                using var to = dst.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                from.CopyTo(to);
            }
        }

        var act = () => Model.Load(path);
        act.Should().Throw<ModelFormatException>().Which.Message.Should().Contain("npz").And.Contain("pickled").And.Contain("never");
    }
}
