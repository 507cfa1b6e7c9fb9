using System.Globalization;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Files;
using KerasNotes.Saving.Hdf5;
using KerasNotes.Saving.Json;
using KerasNotes.Saving.KerasZip;
using KerasNotes.Saving.Legacy;
using KerasNotes.Serialization;

namespace KerasNotes.Saving;

/// <summary>The entry points behind <see cref="Model"/>'s Save / Load / SaveWeights / LoadWeights.</summary>
internal static class ModelFiles
{
    /// <summary>The Keras version whose file layout we write (the spec's snapshot).</summary>
    public const string KerasVersion = "3.15.0";

    private static ReadOnlySpan<byte> Hdf5Magic => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void Save(Model model, string path) => Save(model, path, training: null);

    /// <summary>Saves a .keras archive; <paramref name="training"/> (e.g. the last completed epoch of a backup) goes into the metadata.</summary>
    internal static void Save(Model model, string path, IReadOnlyDictionary<string, object?>? training)
    {
        string config = PythonJson.Serialize(KerasSerializer.SerializeModel(model));
        string metadata = PythonJson.Serialize(Metadata(model, training));
        byte[] weights = NativeWeights.Write(model);
        AtomicFile.Write(path, s => KerasArchive.Write(s, metadata, config, weights));
    }

    public static void SaveWeights(Model model, string path)
    {
        byte[] weights = NativeWeights.Write(model);
        AtomicFile.Write(path, s => s.Write(weights));
    }

    private static Dictionary<string, object?> Metadata(Model model, IReadOnlyDictionary<string, object?>? training)
    {
        var layers = new Dictionary<string, object?>(StringComparer.Ordinal);
        var random = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (model.ShuffleGeneratorIfCreated is { } shuffle)
        {
            random["fit_shuffle"] = Hex(shuffle.GetState());
        }

        foreach (var layer in model.LayersDeep())
        {
            // Names are unique within a model; across nested models the first layer of a name keeps its state.
            if (layer is Dropout { Generator: { } g } && !layers.ContainsKey(layer.Name))
            {
                layers[layer.Name] = Hex(g.GetState());
            }
        }

        random["layers"] = layers;
        var ours = new Dictionary<string, object?>
        {
            ["version"] = typeof(Model).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            ["random_state"] = random,
        };
        if (training is not null)
        {
            ours["training"] = training;
        }

        return new Dictionary<string, object?>
        {
            ["keras_version"] = KerasVersion,
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", CultureInfo.InvariantCulture),
            ["kerasnotes"] = ours,
        };
    }

    /// <summary>
    /// Restores into an existing model everything a .keras archive holds about training — weights, optimizer state
    /// and generator states — and returns the <c>epoch</c> recorded by <see cref="Save(Model, string, IReadOnlyDictionary{string, object?}?)"/>, if any.
    /// Everything is read and checked before anything is assigned.
    /// </summary>
    internal static int? RestoreTrainingState(Model model, string path)
    {
        var context = new LoadContext(path);
        var bytes = ReadFile(path, context);
        if (!KerasArchive.LooksLikeZip(bytes))
        {
            throw context.Fail(null, "a training backup must be a .keras archive.");
        }

        var (_, metadataBytes, weightBytes) = KerasArchive.Read(bytes, context, needConfig: false);
        if (weightBytes is null)
        {
            throw context.Fail(KerasArchive.Weights, "the archive has no model.weights.h5.");
        }

        var stage = new WeightStage();
        int? epoch = null;
        if (metadataBytes is not null)
        {
            context.Entry = KerasArchive.Metadata;
            var metadata = ConfigJson.Root(metadataBytes, KerasArchive.Metadata, "$", context);
            ReadRandomState(metadata, model, stage);
            if (metadata.IsObject && metadata.Has("kerasnotes") && metadata["kerasnotes"].Has("training"))
            {
                var node = metadata["kerasnotes"]["training"]["epoch"];
                int value = node.Int();
                if (value < 0)
                {
                    throw node.Fail($"expected a non-negative epoch number, found {value.ToString(CultureInfo.InvariantCulture)}.");
                }

                epoch = value;
            }
        }

        context.Entry = string.Empty;
        using (var reader = new H5Reader(weightBytes, context, KerasArchive.Weights))
        {
            NativeWeights.Read(reader, model, stage);
        }

        stage.Apply(model);
        return epoch;
    }

    private static List<object?> Hex(ulong[] words) => words.Select(w => (object?)w.ToString("x16", CultureInfo.InvariantCulture)).ToList();

    /// <summary>Reads the model file itself: a regular file only (a FIFO given as the path must not hang the load).</summary>
    private static byte[] ReadFile(string path, LoadContext context) => UntrustedFile.ReadAll(path, KerasArchive.MaxMemberBytes, context);

    private static string ResolveTfjs(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, "model.json")) ? Path.Combine(path, "model.json") : path;

    public static Model Load(string path, CustomObjects? customObjects)
    {
        path = ResolveTfjs(path);
        return Load(ReadFile(path, new LoadContext(path)), path, customObjects);
    }

    /// <summary>Loads a model from bytes already in memory; <paramref name="path"/> names it in messages (and locates tfjs shards).</summary>
    internal static Model Load(byte[] bytes, string path, CustomObjects? customObjects)
    {
        var context = new LoadContext(path);
        using var scope = CustomObjects.Enter(customObjects);
        if (KerasArchive.LooksLikeZip(bytes))
        {
            return LoadArchive(bytes, context);
        }

        if (bytes.AsSpan().StartsWith(Hdf5Magic))
        {
            context.WeightBudgetBytes = bytes.LongLength;
            using var reader = new H5Reader(bytes, context, string.Empty);
            return LegacyH5.LoadModel(reader, context);
        }

        if (TfjsFormat.LooksLikeJson(bytes))
        {
            return TfjsFormat.LoadModel(bytes, context);
        }

        throw context.Fail(null, "not a model file: expected a .keras zip archive, a legacy HDF5 .h5 file or a TensorFlow.js model.json (wrong magic).");
    }

    private static Model LoadArchive(byte[] bytes, LoadContext context)
    {
        var (configBytes, metadataBytes, weightBytes) = KerasArchive.Read(bytes, context, needConfig: true);
        context.WeightBudgetBytes = weightBytes?.LongLength ?? 0;
        context.Entry = KerasArchive.Config;
        var root = ConfigJson.Root(configBytes, KerasArchive.Config, "$", context);
        if (!root.IsObject)
        {
            throw root.Fail($"expected an object, found {root.Kind}.");
        }

        var model = KerasDeserializer.BuildModel(root);
        var compile = root["compile_config"];
        if (compile.IsObject && compile.AsObject().Count > 0)
        {
            LegacyH5.Compile(model, compile, KerasDeserializer.Compile(compile, compile["optimizer"]));
        }

        var stage = new WeightStage();
        if (metadataBytes is not null)
        {
            context.Entry = KerasArchive.Metadata;
            var metadata = ConfigJson.Root(metadataBytes, KerasArchive.Metadata, "$", context);
            ReadRandomState(metadata, model, stage);
        }

        context.Entry = string.Empty;
        if (weightBytes is null)
        {
            throw context.Fail(KerasArchive.Weights, "the archive has no model.weights.h5.");
        }

        using (var reader = new H5Reader(weightBytes, context, KerasArchive.Weights))
        {
            NativeWeights.Read(reader, model, stage);
        }

        stage.Apply(model);
        return model;
    }

    private static void ReadRandomState(ConfigNode metadata, Model model, WeightStage stage)
    {
        if (!metadata.IsObject || !metadata.Has("kerasnotes"))
        {
            return;
        }

        var random = metadata["kerasnotes"]["random_state"];
        if (random.IsNull)
        {
            return;
        }

        if (random.Has("fit_shuffle"))
        {
            stage.RandomStates["fit_shuffle"] = ParseState(random["fit_shuffle"]);
        }

        var layers = random["layers"];
        if (layers.IsNull)
        {
            return;
        }

        // A set, not a scan of model.Layers per entry: a file listing 100,000 states for 100,000 layers must not cost 10^10 comparisons.
        var seeded = model.LayersDeep().Where(l => l is Dropout { Generator: not null }).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, _) in layers.AsObject())
        {
            if (seeded.Contains(name))
            {
                stage.RandomStates["layer:" + name] = ParseState(layers[name]);
            }
        }
    }

    private static ulong[] ParseState(ConfigNode node)
    {
        var items = node.Items();
        if (items.Count is not (5 or 6))
        {
            throw node.Fail($"a generator state has 5 or 6 words, found {items.Count}.");
        }

        var words = new ulong[items.Count];
        for (int i = 0; i < words.Length; i++)
        {
            if (!ulong.TryParse(items[i].String(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]))
            {
                throw items[i].Fail("expected 16 hexadecimal digits.");
            }
        }

        if ((words[0] | words[1] | words[2] | words[3]) == 0)
        {
            throw node.Fail("an all-zero generator state is invalid.");
        }

        return words;
    }

    public static void LoadWeights(Model model, string path)
    {
        path = ResolveTfjs(path);
        LoadWeights(model, ReadFile(path, new LoadContext(path)), path);
    }

    /// <summary>Loads weights from bytes already in memory; <paramref name="path"/> names them in messages.</summary>
    internal static void LoadWeights(Model model, byte[] bytes, string path)
    {
        var context = new LoadContext(path);
        var stage = new WeightStage();
        if (KerasArchive.LooksLikeZip(bytes))
        {
            var (_, _, weights) = KerasArchive.Read(bytes, context, needConfig: false);
            if (weights is null)
            {
                throw context.Fail(KerasArchive.Weights, "the archive has no model.weights.h5.");
            }

            using var reader = new H5Reader(weights, context, KerasArchive.Weights);
            NativeWeights.Read(reader, model, stage);
        }
        else if (bytes.AsSpan().StartsWith(Hdf5Magic))
        {
            using var reader = new H5Reader(bytes, context, string.Empty);
            if (NativeWeights.IsNative(reader))
            {
                NativeWeights.Read(reader, model, stage);
            }
            else if (LegacyH5.IsLegacy(reader))
            {
                LegacyH5.ReadWeights(reader, reader.IsGroup("model_weights") && reader.ReadStringListAttribute(string.Empty, "layer_names") is null ? "model_weights" : string.Empty, model, stage);
            }
            else
            {
                throw reader.Fail(string.Empty, "neither Keras 3 weights (layers/…/vars) nor legacy weights (layer_names): not a Keras weights file.");
            }
        }
        else if (TfjsFormat.LooksLikeJson(bytes))
        {
            TfjsFormat.LoadWeights(bytes, model, context);
            return;
        }
        else
        {
            throw context.Fail(null, "not a weights file: expected HDF5 (.weights.h5 / .h5), a .keras archive or a TensorFlow.js model.json (wrong magic).");
        }

        stage.Apply(model);
    }
}
