using KerasNotes.Callbacks;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Callbacks;

public sealed class ModelCheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"kn-ckpt-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static Sequential Compiled()
    {
        var model = TestModels.Classifier(seed: 6);
        model.Compile(new SGD(0.5), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [Fact]
    public void Path_templates_are_filled_from_the_epoch_and_the_logs()
    {
        var (x, y) = TestModels.Classification(samples: 40);
        var model = Compiled();
        var h = model.Fit(x, y, epochs: 3, verbose: 0, validationSplit: 0.25,
            callbacks: [new ModelCheckpoint(Path.Combine(_dir, "sub", "ckpt-{epoch:02d}-{val_loss:.2f}.keras"))]);
        var files = Directory.GetFiles(Path.Combine(_dir, "sub")).Select(Path.GetFileName).Order().ToArray();
        files.Should().Equal(Enumerable.Range(0, 3).Select(e =>
            $"ckpt-{e + 1:00}-{h["val_loss"][e].ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}.keras"));
        var loaded = Model.Load(Path.Combine(_dir, "sub", files[^1]!));
        TensorAssert.Close(model.Predict(x), loaded.Predict(x), 0, 0, "last checkpoint predicts like the model");
    }

    [Fact]
    public void SaveBestOnly_saves_only_improvements_and_prints_what_Keras_prints()
    {
        var (x, y) = TestModels.Classification(samples: 40);
        var model = Compiled();
        var output = new StringWriter();
        string path = Path.Combine(_dir, "best.weights.h5");
        var ckpt = new ModelCheckpoint(path, monitor: "val_loss", verbose: 1, saveBestOnly: true, saveWeightsOnly: true) { Output = output };
        var snapshots = new List<IReadOnlyList<Tensor>>();
        var h = model.Fit(x, y, epochs: 8, verbose: 0, validationSplit: 0.25, callbacks: [ckpt, new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(model.GetWeights()))]);
        int best = h["val_loss"].Select((v, i) => (v, i)).MinBy(p => p.v).i;
        ckpt.Best.Should().Be(h["val_loss"][best]);
        var fresh = TestModels.Classifier(seed: 99);
        fresh.Compile(new SGD(0.5), "sparse_categorical_crossentropy");
        fresh.LoadWeights(path);
        TensorAssert.BitEqual(snapshots[best][0].AsSpan(), fresh.GetWeights()[0].AsSpan(), "best epoch's kernel");
        string text = output.ToString();
        text.Should().Contain($"Epoch 1: val_loss improved from None to {h["val_loss"][0].ToString("F5", System.Globalization.CultureInfo.InvariantCulture)}, saving model to {path}");
        if (h["val_loss"].Zip(h["val_loss"].Skip(1)).Any(p => p.Second >= p.First))
        {
            text.Should().Contain("did not improve from");
        }
    }

    [Fact]
    public void Batch_level_saves_with_a_validation_monitor_warn_and_save_anyway_as_Keras_3_10()
    {
        var (x, y) = TestModels.Classification(samples: 40);
        var model = Compiled();
        var output = new StringWriter();
        var ckpt = new ModelCheckpoint(Path.Combine(_dir, "b{batch}-e{epoch}.keras"), saveBestOnly: true, saveFreq: 3) { Output = output };
        model.Fit(x, y, epochs: 2, batchSize: 10, verbose: 0, callbacks: [ckpt]);
        // 4 batches per epoch, a save every 3 batches counted across epochs: after batch 3 of epoch 1 and batch 2 of epoch 2.
        Directory.GetFiles(_dir).Select(Path.GetFileName).Order().Should().Equal("b2-e2.keras", "b3-e1.keras");
        output.ToString().Should().Contain("Can save best model only with val_loss available.");
    }

    [Fact]
    public void A_placeholder_without_a_value_raises_naming_it()
    {
        var (x, y) = TestModels.Classification(samples: 20);
        var model = Compiled();
        var act = () => model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint(Path.Combine(_dir, "m-{val_auc:.3f}.keras"))]);
        act.Should().Throw<KeyNotFoundException>().WithMessage("*val_auc*");
    }

    [Fact]
    public void The_extension_must_fit_what_is_saved()
    {
        ((Action)(() => _ = new ModelCheckpoint("model.h5"))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "filepath" && e.Message.Contains(".keras"));
        ((Action)(() => _ = new ModelCheckpoint("w.keras", saveWeightsOnly: true))).Should().Throw<ArgumentException>().Where(e => e.Message.Contains(".weights.h5"));
        ((Action)(() => _ = new ModelCheckpoint("m.keras", saveFreq: 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ModelCheckpoint("m.keras", saveFreq: "batch"))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("ckpt-{epoch:02d}.keras", "ckpt-07.keras")]
    [InlineData("{epoch}-{val_loss:.2f}", "7-0.35")]
    [InlineData("{val_loss:.4e}", "3.4560e-01")]
    [InlineData("{val_loss}", "0.3456")]
    [InlineData("{epoch:>4}|{epoch:<4}|{epoch:^5}", "   7|7   |  7  ")]
    [InlineData("{val_loss:08.3f}", "0000.346")]
    [InlineData("{val_loss:+.1%}", "+34.6%")]
    [InlineData("{{literal}}-{epoch:d}", "{literal}-7")]
    public void PythonFormat_formats_like_str_format(string template, string expected)
    {
        var values = new Dictionary<string, object> { ["epoch"] = 7, ["val_loss"] = 0.3456 };
        PythonFormat.Format(template, values).Should().Be(expected);
    }
}
