using KerasNotes.Models;
using KerasNotes.Saving.Hdf5;
using KerasNotes.Saving.Json;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Legacy;

/// <summary>
/// Legacy HDF5 files (spec §29): whole models written by Keras 2 / tf.keras (<c>model_config</c>,
/// <c>training_config</c>, <c>model_weights/&lt;layer&gt;/&lt;weight path&gt;</c>) and by Keras 3's legacy
/// writer, and legacy weights-only files. Weights are matched by position, as Keras does by default.
/// </summary>
internal static class LegacyH5
{
    /// <summary>Builds, compiles (when the file has a training config) and fills a model from a legacy file.</summary>
    public static Model LoadModel(H5Reader reader, LoadContext context)
    {
        string? modelConfig = reader.ReadStringAttribute(string.Empty, "model_config");
        if (modelConfig is null)
        {
            throw reader.Fail(string.Empty, NativeWeights.IsNative(reader) || reader.ReadStringListAttribute(string.Empty, "layer_names") is not null
                ? "this file holds weights only (no model_config): build the model in code and call LoadWeights."
                : "no 'model_config' attribute: this is not a Keras model file.");
        }

        context.Entry = "@model_config";
        var root = ConfigJson.Root(System.Text.Encoding.UTF8.GetBytes(modelConfig), context.Entry, "model_config", context);
        var model = KerasDeserializer.BuildModel(root);

        string? trainingConfig = reader.ReadStringAttribute(string.Empty, "training_config");
        if (trainingConfig is not null)
        {
            context.Entry = "@training_config";
            var tc = ConfigJson.Root(System.Text.Encoding.UTF8.GetBytes(trainingConfig), context.Entry, "training_config", context);
            Compile(model, tc, KerasDeserializer.Compile(tc, tc["optimizer_config"]));
        }

        context.Entry = string.Empty;
        var stage = new WeightStage();
        string weightsRoot = reader.IsGroup("model_weights") ? "model_weights" : string.Empty;
        ReadWeights(reader, weightsRoot, model, stage);
        TryReadOptimizer(reader, model, stage);
        stage.Apply(model);
        return model;
    }

    internal static void Compile(Model model, ConfigNode where, KerasDeserializer.CompileRequest request)
    {
        try
        {
            model.Compile(request.Optimizer, request.Loss, request.Metrics, request.WeightedMetrics, request.LossWeights);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // InvalidOperationException: a registered loss or metric factory returned null for a name the file uses.
            throw where.Fail($"cannot compile the model: {e.Message}");
        }

        if (model.Built)
        {
            model.Optimizer!.Build(model.TrainableForStep);
        }
    }

    /// <summary>True when the file looks like a legacy weights file (a <c>layer_names</c> list at the root or under <c>model_weights</c>).</summary>
    public static bool IsLegacy(H5Reader reader) =>
        reader.IsGroup("model_weights") || reader.ReadStringListAttribute(string.Empty, "layer_names") is not null;

    /// <summary>Reads the layer weights under <paramref name="root"/> by position into <paramref name="stage"/>.</summary>
    public static void ReadWeights(H5Reader reader, string root, Model model, WeightStage stage)
    {
        var layerNames = reader.ReadStringListAttribute(root, "layer_names")
            ?? throw reader.Fail(root, "no 'layer_names' attribute: not a Keras weights group.");
        // The file lists every layer of the model it came from (an input layer at most once more): a list far
        // longer than the model cannot fit it, and is refused before any group is decoded.
        if (layerNames.Length > model.Layers.Count + 1)
        {
            throw reader.Fail(root,
                $"layer count mismatch: layer_names lists {layerNames.Length} layers, model '{model.Name}' has {model.Layers.Count}.");
        }

        var saved = new List<(string Name, string[] Weights)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in layerNames)
        {
            // Keras lists each layer once; a repeated name would only make us decode the same group again and again.
            if (!seen.Add(name))
            {
                throw reader.Fail(root, $"layer_names lists '{Shorten(name)}' more than once; a Keras file names each layer once.");
            }

            string group = Join(root, name);
            if (!reader.IsGroup(group))
            {
                throw reader.Fail(group, $"layer_names lists '{name}', but the file has no such group.");
            }

            var weightNames = reader.ReadStringListAttribute(group, "weight_names") ?? [];
            if (weightNames.Length > 0)
            {
                saved.Add((name, weightNames));
            }
        }

        var targets = model.Layers.Where(l => l.Weights.Count > 0).ToList();
        if (targets.Count != saved.Count)
        {
            throw reader.Fail(root,
                $"layer count mismatch: the file has weights for {saved.Count} layers ({NameList(saved.Select(s => s.Name))}), " +
                $"model '{model.Name}' has {targets.Count} layers with weights ({NameList(targets.Select(t => t.Name))}).");
        }

        for (int k = 0; k < targets.Count; k++)
        {
            var layer = targets[k];
            var (name, weightNames) = saved[k];
            var weights = LegacyOrder(layer);
            if (weightNames.Length != weights.Count)
            {
                throw reader.Fail(Join(root, name), $"layer '{layer.Name}' expects {weights.Count} weights, the file's layer '{name}' has {weightNames.Length}.");
            }

            for (int i = 0; i < weights.Count; i++)
            {
                var data = reader.ReadFloats(Join(Join(root, name), weightNames[i]), weights[i].Shape, $"layer '{layer.Name}' weight {i} '{weights[i].Name}'");
                stage.Weights.Add((weights[i], data));
            }
        }
    }

    /// <summary>
    /// A layer's weights in the order legacy files list them (Keras <c>_legacy_weights</c>: trainable, then
    /// non-trainable). For a layer that is the same as <see cref="KerasNotes.Layers.Layer.Weights"/>; a nested model is one entry of
    /// <c>layer_names</c> holding all its layers' weights, its trainable ones first.
    /// </summary>
    internal static IReadOnlyList<Variable> LegacyOrder(KerasNotes.Layers.Layer layer) =>
        layer is Model ? [.. layer.TrainableWeights, .. layer.NonTrainableWeights] : layer.Weights;

    // The Keras 3 legacy writer stores the optimizer variables in native order (iteration, learning rate, slots);
    // tf.keras 2 used another scheme. As Keras, restore when everything fits and skip the optimizer otherwise.
    private static void TryReadOptimizer(H5Reader reader, Model model, WeightStage stage)
    {
        if (!model.IsCompiled || model.Optimizer is not { IsBuilt: true } optimizer || !reader.IsGroup("optimizer_weights"))
        {
            return;
        }

        try
        {
            var names = reader.ReadStringListAttribute("optimizer_weights", "weight_names");
            var slots = optimizer.SlotVariables;
            int head = optimizer.Schedule is null ? 2 : 1;
            if (names is null || names.Length != head + slots.Count)
            {
                return;
            }

            string owner = $"optimizer '{optimizer.Name}'";
            long iterations = reader.ReadIntegerScalar(Join("optimizer_weights", names[0]), owner + " iteration");
            float? lr = head == 2 ? reader.ReadFloatScalar(Join("optimizer_weights", names[1]), owner + " learning_rate") : null;
            if (iterations < 0 || (lr is float l && (!float.IsFinite(l) || l < 0)))
            {
                return;
            }

            var values = new List<float[]>(slots.Count);
            for (int i = 0; i < slots.Count; i++)
            {
                values.Add(reader.ReadFloats(Join("optimizer_weights", names[head + i]), slots[i].Shape, $"{owner} slot {i}"));
            }

            stage.Optimizer = new OptimizerState(iterations, lr, values);
        }
        catch (ModelFormatException)
        {
            // Keras: "Error in loading the saved optimizer state" is a warning; the model loads without it.
        }
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : $"{a}/{b}";

    // Messages name a few layers, not a hostile file's hundred thousand.
    private static string NameList(IEnumerable<string> names)
    {
        var first = names.Take(11).Select(Shorten).ToList();
        return first.Count > 10 ? string.Join(", ", first.Take(10)) + ", …" : string.Join(", ", first);
    }

    private static string Shorten(string name) => name.Length > 80 ? name[..80] + "…" : name;
}
