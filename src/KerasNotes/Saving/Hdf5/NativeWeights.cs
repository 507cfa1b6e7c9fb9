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
/// <remarks>
/// A functional model's layers include its InputLayers (groups <c>input_layer</c>, <c>input_layer_1</c>, … with an
/// empty <c>vars</c>); a Sequential's do not. A nested Sequential or functional model is a group with an empty
/// <c>vars</c> of its own and its layers under it (<c>layers/functional/layers/dense/vars/0</c>), named by the same
/// rule within each list. A layer object met a second time (a layer of an inner model also used by the outer one) is
/// written at its first path only, as Keras's <c>visited_saveables</c> does; a shared layer is in
/// <c>model.layers</c> once anyway.
/// </remarks>
internal static class NativeWeights
{
    /// <summary>The group name of each of the model's layers: its snake-cased class name, made unique with <c>_1</c>, <c>_2</c>, ….</summary>
    public static List<(string Group, Layer Layer)> LayerGroups(Model model) => LayerGroups(model.Layers);

    /// <summary>True for a model whose weights Keras keeps per layer under its group (a Sequential or functional model).</summary>
    private static bool IsContainer(Layer layer) => layer is Sequential || KerasSerializer.IsFunctional(layer);

    private static List<(string Group, Layer Layer)> LayerGroups(IReadOnlyList<Layer> layers)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var snakeCase = new Dictionary<string, string>(StringComparer.Ordinal); // three regex passes per layer, once per class instead
        var result = new List<(string, Layer)>();
        foreach (var layer in layers)
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
        file["layers"] = LayersGroup(model.Layers, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
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

    /// <summary>The <c>layers</c> group of a model: one group per layer, a nested model's layers under its own group.</summary>
    private static H5Group LayersGroup(IReadOnlyList<Layer> layers, HashSet<Layer> visited)
    {
        var group = new H5Group();
        foreach (var (name, layer) in LayerGroups(layers))
        {
            if (!visited.Add(layer))
            {
                continue;
            }

            if (IsContainer(layer))
            {
                var nested = new H5Group { ["vars"] = VarsGroup(layer.Name, []) };
                var inner = ((Model)layer).Layers;
                if (inner.Count > 0)
                {
                    nested["layers"] = LayersGroup(inner, visited);
                }

                group[name] = nested;
            }
            else
            {
                group[name] = new H5Group { ["vars"] = VarsGroup(layer.Name, layer.Weights) };
            }
        }

        return group;
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
        ReadLayers(reader, root, root, model.Layers, model.Name, new HashSet<Layer>(ReferenceEqualityComparer.Instance), stage);
        ReadOptimizer(reader, model, stage);
    }

    /// <summary>Reads the groups under <paramref name="prefix"/> into the <paramref name="layers"/> of model <paramref name="owner"/>, nested models included.</summary>
    private static void ReadLayers(H5Reader reader, string prefix, string root, IReadOnlyList<Layer> layers, string owner, HashSet<Layer> visited, WeightStage stage)
    {
        var groups = LayerGroups(layers);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (group, layer) in groups)
        {
            known.Add(group);
            if (!visited.Add(layer))
            {
                continue;
            }

            var weights = layer.Weights;
            string vars = $"{prefix}/{group}/vars";
            if (IsContainer(layer) && (reader.IsGroup($"{prefix}/{group}/{root}") || !reader.IsGroup(vars) || reader.ChildNames(vars).Count == 0))
            {
                // Keras's layout for a nested model: its layers under its own group (the flat form below is the
                // one earlier KerasNotes versions wrote, and is still read).
                ReadLayers(reader, $"{prefix}/{group}/{root}", root, ((Model)layer).Layers, layer.Name, visited, stage);
                continue;
            }

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

        if (reader.IsGroup(prefix))
        {
            foreach (string child in reader.ChildNames(prefix))
            {
                if (!known.Contains(child) && reader.IsGroup($"{prefix}/{child}/vars") && reader.ChildNames($"{prefix}/{child}/vars").Count > 0)
                {
                    throw reader.Fail($"{prefix}/{child}", $"the file holds weights for a layer group '{child}' that model '{owner}' does not have (the model has {groups.Count} layers).");
                }
            }
        }
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
