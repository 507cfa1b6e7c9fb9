using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving;
using KerasNotes.Tests.Saving.Fuzzing;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Structure-aware fuzzing: mutations that keep a file parseable one level down (valid zip with a hostile JSON
/// member, valid JSON with a hostile value) reach code that byte mutations rarely do. Every mutant must load or
/// be refused with ModelFormatException, in bounded time and memory. The normal suite runs a few hundred mutants
/// per format; the LongRunning category (tools/fuzz-long.sh) runs ten thousand or more.
/// </summary>
public sealed class StructuredFuzzTests(ITestOutputHelper output)
{
    /// <summary>Mutants per format in the normal suite.</summary>
    private const int ShortRun = 300;

    /// <summary>Mutants per format in the long run; KERASNOTES_FUZZ_LONG_ITERATIONS overrides it.</summary>
    private static readonly int s_longRun =
        int.TryParse(Environment.GetEnvironmentVariable("KERASNOTES_FUZZ_LONG_ITERATIONS"), out int n) && n > 0 ? n : 10_000;

    private static readonly string s_tfjsModel = SavingTestSupport.FixturePath("save_format", "tfjs_layers_model", "model.json");

    private static readonly Lazy<byte[]> s_keras = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        model.Save(temp.File("m.keras"));
        return File.ReadAllBytes(temp.File("m.keras"));
    });

    // A .weights.h5 our writer produces for a trained model: Dense, BatchNormalization (moving statistics) and Dense.
    private static readonly Lazy<byte[]> s_weights = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        var model = SavingTestSupport.SmallModel();
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        model.SaveWeights(temp.File("m.weights.h5"));
        return File.ReadAllBytes(temp.File("m.weights.h5"));
    });

    // The CNN of SavingTestSupport.CnnModel, trained for an epoch: Conv2D, pooling, Reshape, global pooling layers.
    private static readonly Lazy<Sequential> s_cnn = new(SavingTestSupport.TrainedCnn);

    private static readonly Lazy<byte[]> s_kerasCnn = new(() => Written("cnn.keras", s_cnn.Value.Save));

    private static readonly Lazy<byte[]> s_weightsCnn = new(() => Written("cnn.weights.h5", s_cnn.Value.SaveWeights));

    // A Keras 2 style legacy .h5 of the CNN, written with PureHDF (superblock and headers of HDF5 1.10).
    private static readonly Lazy<byte[]> s_legacyCnn = new(() => Written("cnn.h5", path => LegacyH5Writer.Write(s_cnn.Value, path)));

    // The functional model of SavingTestSupport.FunctionalModel, trained for an epoch: shared, nested and merge layers.
    private static readonly Lazy<Model> s_functional = new(SavingTestSupport.TrainedFunctional);

    private static readonly Lazy<byte[]> s_kerasFunctional = new(() => Written("functional.keras", s_functional.Value.Save));

    // Two inputs and two outputs, compiled with a loss, a weight and metrics per output, trained an epoch.
    private static readonly Lazy<byte[]> s_kerasTwoInTwoOut = new(() =>
    {
        var a = Keras.Input(shape: [4], name: "fz2_a");
        var b = Keras.Input(shape: [2], name: "fz2_b");
        var h = new Dense(6, activation: "relu", name: "fz2_h").Apply(new Concatenate(name: "fz2_cat").Apply([a, b]));
        var model = new Model([a, b], [new Dense(3, activation: "softmax", name: "fz2_class").Apply(h), new Dense(1, name: "fz2_value").Apply(h)], name: "fz2");
        model.Compile(optimizer: "adam", loss: ["sparse_categorical_crossentropy", "mse"], metrics: [["accuracy"], ["mae"]], lossWeights: [1.0, 0.5]);
        var (x, y) = SavingTestSupport.SmallData(16);
        model.Fit([x, KerasNotes.Tests.TestSupport.GradientCheck.Random(3, -1f, 1f, 16, 2)], [y, KerasNotes.Tests.TestSupport.GradientCheck.Random(4, -1f, 1f, 16, 1)], batchSize: 8, epochs: 1, verbose: 0);
        return Written("fz2.keras", model.Save);
    });

    // The same model as Keras 2 writes it to a legacy .h5: list calls, nested models numbered from 1, weights by position.
    private static readonly Lazy<byte[]> s_legacyFunctional = new(() => Written("functional.h5", path => LegacyH5Writer.Write(s_functional.Value, path)));

    private static byte[] Written(string name, Action<string> write)
    {
        using var temp = SavingTestSupport.Temp();
        write(temp.File(name));
        return File.ReadAllBytes(temp.File(name));
    }

    // h5py-written files (superblock version 0, symbol-table groups, version 1 object headers).
    private static readonly string s_legacyKeras2 = SavingTestSupport.FixturePath("save_format", "legacy_keras2_model.h5");
    private static readonly string s_legacyKeras3 = SavingTestSupport.FixturePath("save_format", "legacy_keras3_model.h5");
    private static readonly string s_keras224 = SavingTestSupport.FixturePath("real_keras", "keras224_architecture_only.h5");
    private static readonly string s_keras3Weights = SavingTestSupport.FixturePath("save_format", "keras3_model.weights.h5");

    private static Sequential TfjsShapedModel() => new(
        new Input(3), new Dense(4, name: "dense"), new BatchNormalization(name: "batch_normalization"), new Dense(2, name: "dense_1"));

    public static TheoryData<string> Formats => ["keras-config", "keras-metadata", "keras-zip", "keras-zip-weights", "backup-metadata", "tfjs-model", "tfjs-weights",
        "hdf5-weights", "hdf5-h5py-weights", "hdf5-legacy-keras2", "hdf5-legacy-keras3", "hdf5-keras224", "keras-hdf5-weights",
        "keras-cnn-config", "keras-cnn-zip", "keras-cnn-hdf5-weights", "hdf5-cnn-weights", "hdf5-legacy-cnn", "tfjs-cnn-model",
        "keras-functional-config", "keras-functional-zip", "keras-functional-hdf5-weights", "hdf5-legacy-functional", "tfjs-functional-model",
        "keras3-functional-config", "keras-two-in-two-out-config"];

    /// <summary>The target for a format; <paramref name="scratch"/> holds the file for the loaders that need a path.</summary>
    /// <remarks>To fuzz another structure, add a format here and to <see cref="Formats"/>.</remarks>
    internal static FuzzTarget Target(string format, TempFolder scratch) => format switch
    {
        "backup-metadata" => new(format, s_keras.Value, (b, _) => RestoreBackup(b, scratch), [new MemberMutator("metadata.json", new JsonMutator())]),
        "keras-config" => new(format, s_keras.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("config.json", new JsonMutator())]),
        "keras-metadata" => new(format, s_keras.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("metadata.json", new JsonMutator())]),
        "keras-zip" => new(format, s_keras.Value, (b, p) => ModelFiles.Load(b, p, null), [new ZipMutator()]),
        "keras-zip-weights" => new(format, s_keras.Value, (b, p) => ModelFiles.LoadWeights(SavingTestSupport.SmallModel(), b, p), [new ZipMutator()]),
        "tfjs-model" => new(format, File.ReadAllBytes(s_tfjsModel), (b, _) => ModelFiles.Load(b, s_tfjsModel, null), [new JsonMutator(), new TfjsManifestMutator()]),
        "tfjs-weights" => new(format, File.ReadAllBytes(s_tfjsModel), (b, _) => ModelFiles.LoadWeights(TfjsShapedModel(), b, s_tfjsModel), [new TfjsManifestMutator()]),
        "hdf5-weights" => new(format, s_weights.Value, (b, _) => ModelFiles.LoadWeights(SavingTestSupport.SmallModel(), b, "m.weights.h5"), [new Hdf5StructureMutator()]),
        "hdf5-h5py-weights" => new(format, File.ReadAllBytes(s_keras3Weights), (b, _) => ModelFiles.LoadWeights(TfjsShapedModel(), b, s_keras3Weights), [new Hdf5StructureMutator()]),
        "hdf5-legacy-keras2" => new(format, File.ReadAllBytes(s_legacyKeras2), (b, _) => ModelFiles.Load(b, s_legacyKeras2, null), [new Hdf5StructureMutator()]),
        "hdf5-legacy-keras3" => new(format, File.ReadAllBytes(s_legacyKeras3), (b, _) => ModelFiles.Load(b, s_legacyKeras3, null), [new Hdf5StructureMutator()]),
        "hdf5-keras224" => new(format, File.ReadAllBytes(s_keras224), (b, _) => ModelFiles.Load(b, s_keras224, null), [new Hdf5StructureMutator()]),
        "keras-hdf5-weights" => new(format, s_keras.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("model.weights.h5", new Hdf5StructureMutator())]),
        "keras-cnn-config" => new(format, s_kerasCnn.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("config.json", new JsonMutator())]),
        "keras-cnn-zip" => new(format, s_kerasCnn.Value, (b, p) => ModelFiles.Load(b, p, null), [new ZipMutator()]),
        "keras-cnn-hdf5-weights" => new(format, s_kerasCnn.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("model.weights.h5", new Hdf5StructureMutator())]),
        "hdf5-cnn-weights" => new(format, s_weightsCnn.Value, (b, _) => ModelFiles.LoadWeights(SavingTestSupport.CnnModel(), b, "cnn.weights.h5"), [new Hdf5StructureMutator()]),
        "hdf5-legacy-cnn" => new(format, s_legacyCnn.Value, (b, _) => ModelFiles.Load(b, "cnn.h5", null), [new Hdf5StructureMutator()]),
        "tfjs-cnn-model" => TfjsCnn(format, scratch),
        "keras-functional-config" => new(format, s_kerasFunctional.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("config.json", new JsonMutator())]),
        "keras-functional-zip" => new(format, s_kerasFunctional.Value, (b, p) => ModelFiles.Load(b, p, null), [new ZipMutator()]),
        "keras-functional-hdf5-weights" => new(format, s_kerasFunctional.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("model.weights.h5", new Hdf5StructureMutator())]),
        "hdf5-legacy-functional" => new(format, s_legacyFunctional.Value, (b, _) => ModelFiles.Load(b, "functional.h5", null), [new Hdf5StructureMutator()]),
        "tfjs-functional-model" => TfjsFunctional(format, scratch),
        "keras-two-in-two-out-config" => new(format, s_kerasTwoInTwoOut.Value, (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("config.json", new JsonMutator())]),
        "keras3-functional-config" => new(format, File.ReadAllBytes(FunctionalFiles.Keras("e.keras")), (b, p) => ModelFiles.Load(b, p, null), [new MemberMutator("config.json", new JsonMutator())]),
        _ => throw new ArgumentException(format, nameof(format)),
    };

    /// <summary>The CNN as a TF.js layers model in <paramref name="scratch"/>: model.json mutated, weights.bin beside it.</summary>
    private static FuzzTarget TfjsCnn(string format, TempFolder scratch)
    {
        string json = TfjsWriter.Write(s_cnn.Value, scratch.Path);
        return new(format, File.ReadAllBytes(json), (b, _) => ModelFiles.Load(b, json, null), [new JsonMutator(), new TfjsManifestMutator()]);
    }

    /// <summary>The functional model as a TF.js layers model in <paramref name="scratch"/>: model.json mutated, weights.bin beside it.</summary>
    private static FuzzTarget TfjsFunctional(string format, TempFolder scratch)
    {
        string json = TfjsWriter.Write(s_functional.Value, scratch.Path);
        return new(format, File.ReadAllBytes(json), (b, _) => ModelFiles.Load(b, json, null), [new JsonMutator(), new TfjsManifestMutator()]);
    }

    /// <summary>What BackupAndRestore does with a backup: restore weights, optimizer, generators and the epoch into a built model.</summary>
    private static void RestoreBackup(byte[] bytes, TempFolder scratch)
    {
        string path = scratch.File($"backup-{Environment.CurrentManagedThreadId}.keras");
        File.WriteAllBytes(path, bytes);
        var model = SavingTestSupport.SmallModel();
        model.Build(4);
        ModelFiles.RestoreTrainingState(model, path);
    }

    private static int FirstSeed(string format) => format.Aggregate(23, (h, c) => ((h * 31) + c) & 0x7FFF) * 100_003;

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_few_hundred_structured_mutants_each_load_or_are_refused_with_ModelFormatException(string format)
    {
        using var scratch = SavingTestSupport.Temp();
        var result = FuzzRunner.Run(Target(format, scratch), ShortRun, FirstSeed(format));
        output.WriteLine($"{format}: {ShortRun} mutants: {result}");
        result.Failures.Should().BeEmpty();
    }

    [Theory]
    [Trait("Category", "LongRunning")]
    [MemberData(nameof(Formats))]
    public void Ten_thousand_structured_mutants_each_load_or_are_refused_with_ModelFormatException(string format)
    {
        using var scratch = SavingTestSupport.Temp();
        var result = FuzzRunner.Run(Target(format, scratch), s_longRun, FirstSeed(format) + ShortRun);
        output.WriteLine($"{format}: {s_longRun} mutants: {result}");
        result.Failures.Should().BeEmpty();
    }

    [Fact]
    public void The_fuzz_runner_reports_any_exception_other_than_ModelFormatException()
    {
        int calls = 0;
        var target = new FuzzTarget("self-test", [1, 2, 3], (_, _) =>
        {
            if (calls++ == 3)
            {
                throw new InvalidOperationException("a bug");
            }
        }, [new ZipMutatorStub()]);
        var result = FuzzRunner.Run(target, 5, 0);
        result.Failures.Should().ContainSingle().Which.Should().Contain("InvalidOperationException: a bug");
        result.Loaded.Should().Be(4);
    }

    private sealed class ZipMutatorStub : IMutator
    {
        public string Name => "identity";

        public Mutant Mutate(byte[] source, System.Random rng) => new(source, "unchanged");
    }
}
