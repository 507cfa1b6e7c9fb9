using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Json;
using PureHDF;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Keras 3's weights layout (spec §27.3 / §28): <c>/vars</c> (attribute <c>name</c>),
/// <c>layers/&lt;snake_case_class&gt;[_N]/vars/&lt;i&gt;</c> for each layer in <c>model.layers</c> order, and
/// <c>optimizer/vars/&lt;i&gt;</c> (iteration, learning rate, then slots interleaved per variable) for a compiled
/// model. Used both for <c>model.weights.h5</c> inside a <c>.keras</c> archive and for <c>.weights.h5</c> files.
/// </summary>
internal static class NativeWeights
{
    /// <summary>The group name of each layer: its snake-cased class name, made unique with <c>_1</c>, <c>_2</c>, ….</summary>
    public static List<(string Group, Layer Layer)> LayerGroups(Model model)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var snakeCase = new Dictionary<string, string>(StringComparer.Ordinal); // three regex passes per layer, once per class instead
        var result = new List<(string, Layer)>();
        foreach (var layer in model.Layers)
        {
            string className = KerasSerializer.ClassNameOf(layer);
            if (!snakeCase.TryGetValue(className, out string? baseName))
            {
                baseName = Layer.ToSnakeCase(className);
                snakeCase[className] = baseName;
            }

            used.TryGetValue(baseName, out int count);
            used[baseName] = count + 1;
            result.Add((count == 0 ? baseName : $"{baseName}_{count}", layer));
        }

        return result;
    }

    /// <summary>Writes the model's variables (and its optimizer's, when compiled) as an HDF5 file.</summary>
    public static byte[] Write(Model model)
    {
        var file = new H5File
        {
            ["vars"] = VarsGroup(model.Name, []),
        };
        var layers = new H5Group();
        foreach (var (group, layer) in LayerGroups(model))
        {
            layers[group] = new H5Group { ["vars"] = VarsGroup(layer.Name, layer.Weights) };
        }

        file["layers"] = layers;
        if (model.IsCompiled && model.Optimizer is { } optimizer)
        {
            var vars = VarsGroup(optimizer.Name, []);
            // Keras creates the iteration with dtype "int" (keras/src/optimizers/base_optimizer.py), which
            // keras/src/backend/common/dtypes.py resolves to int64 on its default TensorFlow backend (int32 on JAX and
            // PyTorch): a 0-d int64 dataset, as TensorFlow-backed Keras and tf.keras write it.
            long iteration = optimizer.Iterations;
            vars["0"] = iteration;
            int index = 1;
            if (optimizer.Schedule is null)
            {
                vars["1"] = (float)optimizer.LearningRate;
                index = 2;
            }

            foreach (var slot in optimizer.SlotVariables)
            {
                vars[index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Dataset(slot);
                index++;
            }

            file["optimizer"] = new H5Group { ["vars"] = vars };
        }

        using var stream = new MemoryStream();
        file.Write(stream, new H5WriteOptions(PreferCompactDatasetLayout: false));
        return stream.ToArray();
    }

    private static H5Group VarsGroup(string name, IReadOnlyList<Variable> variables)
    {
        var group = new H5Group { Attributes = new() { ["name"] = name } };
        for (int i = 0; i < variables.Count; i++)
        {
            group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Dataset(variables[i]);
        }

        return group;
    }

    private static H5Dataset<float[]> Dataset(Variable v)
    {
        var dims = new ulong[v.Shape.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = (ulong)v.Shape[i];
        }

        return new H5Dataset<float[]>(v.Value.ToArray(), fileDims: dims);
    }

    /// <summary>True when the file has Keras 3's native layout (as opposed to the legacy one).</summary>
    public static bool IsNative(H5Reader reader) =>
        reader.IsGroup("layers") || reader.IsGroup("vars") || reader.IsGroup("_layer_checkpoint_dependencies") || reader.IsGroup("optimizer");

    /// <summary>Reads and checks every variable of <paramref name="model"/> (and its optimizer) into <paramref name="stage"/>.</summary>
    public static void Read(H5Reader reader, Model model, WeightStage stage)
    {
        string root = reader.IsGroup("layers") || !reader.IsGroup("_layer_checkpoint_dependencies") ? "layers" : "_layer_checkpoint_dependencies";
        var groups = LayerGroups(model);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (group, layer) in groups)
        {
            known.Add(group);
            var weights = layer.Weights;
            string vars = $"{root}/{group}/vars";
            string cls = KerasSerializer.ClassNameOf(layer);
            if (!reader.IsGroup(vars))
            {
                if (weights.Count == 0)
                {
                    continue;
                }

                throw reader.Fail(vars, $"layer '{layer.Name}' ({cls}) has {weights.Count} weights, but the file has no group for it.");
            }

            var names = reader.ChildNames(vars);
            if (names.Count != weights.Count)
            {
                string hint = !layer.Built && names.Count > 0 ? " (the layer is not built: build the model, or call it once, before loading weights)" : string.Empty;
                throw reader.Fail(vars, $"layer '{layer.Name}' ({cls}) expects {weights.Count} weights, the file has {names.Count}{hint}.");
            }

            for (int i = 0; i < weights.Count; i++)
            {
                var data = reader.ReadFloats($"{vars}/{i}", weights[i].Shape, $"layer '{layer.Name}' ({cls}) weight {i} '{weights[i].Name}'");
                stage.Weights.Add((weights[i], data));
            }
        }

        if (reader.IsGroup(root))
        {
            foreach (string child in reader.ChildNames(root))
            {
                if (!known.Contains(child) && reader.IsGroup($"{root}/{child}/vars") && reader.ChildNames($"{root}/{child}/vars").Count > 0)
                {
                    throw reader.Fail($"{root}/{child}", $"the file holds weights for a layer group '{child}' that model '{model.Name}' does not have (the model has {groups.Count} layers).");
                }
            }
        }

        ReadOptimizer(reader, model, stage);
    }

    private static void ReadOptimizer(H5Reader reader, Model model, WeightStage stage)
    {
        if (!model.IsCompiled || model.Optimizer is not { } optimizer || !reader.IsGroup("optimizer/vars"))
        {
            return;
        }

        var names = reader.ChildNames("optimizer/vars");
        int head = optimizer.Schedule is null ? 2 : 1;
        List<Shape> slotShapes = [];
        if (optimizer.IsBuilt)
        {
            foreach (var slot in optimizer.SlotVariables)
            {
                slotShapes.Add(slot.Shape);
            }
        }
        else if (model.Built)
        {
            int k = optimizer.SlotCountPerVariable;
            foreach (var v in model.TrainableForStep)
            {
                for (int j = 0; j < k; j++)
                {
                    slotShapes.Add(v.Shape);
                }
            }
        }
        else
        {
            return;
        }

        if (names.Count != head + slotShapes.Count)
        {
            // Keras warns and skips the optimizer on a count mismatch (spec §16.7); so do we.
            return;
        }

        string owner = $"optimizer '{optimizer.Name}'";
        long iterations = reader.ReadIntegerScalar("optimizer/vars/0", owner + " iteration");
        if (iterations < 0)
        {
            throw reader.Fail("optimizer/vars/0", $"{owner}: the iteration count {iterations} is negative.");
        }

        float? lr = null;
        if (head == 2)
        {
            float value = reader.ReadFloatScalar("optimizer/vars/1", owner + " learning_rate");
            if (!float.IsFinite(value) || value < 0)
            {
                throw reader.Fail("optimizer/vars/1", $"{owner}: the learning rate {value} is not a non-negative finite number.");
            }

            lr = value;
        }

        var slots = new List<float[]>(slotShapes.Count);
        for (int i = 0; i < slotShapes.Count; i++)
        {
            int index = head + i;
            slots.Add(reader.ReadFloats($"optimizer/vars/{index}", slotShapes[i], $"{owner} slot {i}"));
        }

        stage.Optimizer = new OptimizerState(iterations, lr, slots);
    }
}
