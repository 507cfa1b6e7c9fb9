using System.Buffers.Binary;
using KerasNotes.Models;
using KerasNotes.Saving.Files;
using KerasNotes.Saving.Json;
using KerasNotes.Saving.KerasZip;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Legacy;

/// <summary>
/// TensorFlow.js layers models (<c>model.json</c> with a Keras-style <c>modelTopology</c> and a
/// <c>weightsManifest</c>, plus binary weight shards): weights are matched by their
/// <c>&lt;layer name&gt;/&lt;weight name&gt;</c>, and shard files must sit next to <c>model.json</c>.
/// </summary>
internal static class TfjsFormat
{
    /// <summary>True when the bytes look like a JSON document (a tfjs model.json).</summary>
    public static bool LooksLikeJson(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }

    public static Model LoadModel(byte[] json, LoadContext context)
    {
        var root = Parse(json, context);
        var topology = root["modelTopology"];
        if (topology.IsNull)
        {
            throw root.Fail("no 'modelTopology': not a TensorFlow.js layers model.");
        }

        context.WeightBudgetBytes = ShardBytes(root, context);
        var modelNode = topology.Has("model_config") ? topology["model_config"] : topology;
        var model = KerasDeserializer.BuildModel(modelNode);
        var stage = new WeightStage();
        ReadWeights(root, model, stage, context);
        stage.Apply(model);
        return model;
    }

    public static void LoadWeights(byte[] json, Model model, LoadContext context)
    {
        var root = Parse(json, context);
        var stage = new WeightStage();
        ReadWeights(root, model, stage, context);
        stage.Apply(model);
    }

    /// <summary>The total size of the shard files the manifest names (plain names only), read before anything is built.</summary>
    private static long ShardBytes(ConfigNode root, LoadContext context)
    {
        var manifest = root["weightsManifest"];
        if (!manifest.IsArray)
        {
            return 0;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(context.Path)) ?? ".";
        long total = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in manifest.Items())
        {
            if (!group.IsObject || !group["paths"].IsArray)
            {
                continue;
            }

            foreach (var p in group["paths"].Items())
            {
                string name = p.String();
                CheckShardName(name, group);
                CheckShardOnce(name, seen, group);
                var shard = UntrustedFile.ResolveInside(folder, name, reason => context.Fail(name, reason));
                total = checked(total + shard.Length);
            }
        }

        return total;
    }

    private static ConfigNode Parse(byte[] json, LoadContext context)
    {
        context.Entry = Path.GetFileName(context.Path);
        var root = ConfigJson.Root(json, context.Entry, "$", context);
        if (!root.IsObject)
        {
            throw root.Fail($"expected a JSON object, found {root.Kind}.");
        }

        var format = root["format"];
        if (!format.IsNull && format.String() != "layers-model")
        {
            throw format.Fail($"only TensorFlow.js 'layers-model' files are supported, found '{format.String()}'.");
        }

        return root;
    }

    private static void ReadWeights(ConfigNode root, Model model, WeightStage stage, LoadContext context)
    {
        // Weights are named <layer>/<weight>, the layers of nested models by their own names; a name two layers share
        // (possible across nested models) cannot be matched and is refused if the manifest uses it.
        var byLayer = new Dictionary<string, KerasNotes.Layers.Layer?>(StringComparer.Ordinal);
        foreach (var layer in model.LayersDeep())
        {
            if (layer is not Model && !byLayer.TryAdd(layer.Name, layer))
            {
                byLayer[layer.Name] = null;
            }
        }

        var pending = new HashSet<Variable>(model.Weights, ReferenceEqualityComparer.Instance);
        string folder = Path.GetDirectoryName(Path.GetFullPath(context.Path)) ?? ".";
        var manifest = root["weightsManifest"];
        if (manifest.IsNull)
        {
            if (pending.Count > 0)
            {
                throw root.Fail("no 'weightsManifest', but the model has weights to load.");
            }

            return;
        }

        var shardNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in manifest.Items())
        {
            var specs = group["weights"].Items();
            var paths = group["paths"].Items().Select(p => p.String()).ToList();
            foreach (string p in paths)
            {
                CheckShardName(p, group);
                CheckShardOnce(p, shardNames, group);
            }

            long expectedBytes = 0;
            var plan = new List<(ConfigNode Spec, Variable Target, long Bytes)>();
            foreach (var spec in specs)
            {
                string name = spec["name"].String();
                string dtype = spec["dtype"].OptString("float32");
                if (dtype != "float32" || !spec["quantization"].IsNull)
                {
                    throw spec.Fail($"weight '{name}' is stored as {dtype}{(spec["quantization"].IsNull ? string.Empty : " (quantized)")}; only float32 weights are supported.");
                }

                var shape = spec["shape"].Items().Select(d => d.Int()).ToArray();
                long count = 1;
                foreach (int d in shape)
                {
                    if (d < 0 || (d > 0 && count > (long.MaxValue / 4) / d))
                    {
                        throw spec["shape"].Fail($"weight '{name}' has an invalid shape [{string.Join(", ", shape)}].");
                    }

                    count *= d;
                }

                // Each weight is matched to the model before any shard is read, so the bytes to read are bounded by
                // what the model needs, not by what the manifest claims.
                int slash = name.LastIndexOf('/');
                string layerName = slash > 0 ? name[..slash] : string.Empty;
                string varName = slash > 0 ? name[(slash + 1)..] : name;
                if (!byLayer.TryGetValue(layerName, out var layer))
                {
                    // A scoped name (model/layer/kernel): TF.js retries with the middle dropped; the innermost scope is the layer.
                    int first = layerName.IndexOf('/', StringComparison.Ordinal);
                    int last = layerName.LastIndexOf('/');
                    if (first < 0 || !(byLayer.TryGetValue(layerName[..first], out layer) || byLayer.TryGetValue(layerName[(last + 1)..], out layer)))
                    {
                        throw spec.Fail($"weight '{name}' names a layer '{layerName}' that model '{model.Name}' does not have.");
                    }
                }

                if (layer is null)
                {
                    throw spec.Fail($"weight '{name}' names layer '{layerName}', a name several layers of model '{model.Name}' (in nested models) share; it cannot be matched.");
                }

                var target = layer.Weights.FirstOrDefault(v => v.Name == varName)
                    ?? throw spec.Fail($"layer '{layerName}' has no weight named '{varName}' (it has {string.Join(", ", layer.Weights.Select(v => v.Name))}).");
                if (!pending.Remove(target))
                {
                    throw spec.Fail($"weight '{name}' appears twice in the manifest.");
                }

                if (!target.Shape.Dims.SequenceEqual(shape))
                {
                    throw spec.Fail($"layer '{layerName}' weight '{varName}': expected shape {target.Shape}, found [{string.Join(", ", shape)}].");
                }

                plan.Add((spec, target, count * 4));
                expectedBytes = checked(expectedBytes + (count * 4));
            }

            byte[] data = ReadShards(paths, folder, expectedBytes, group, context);
            long offset = 0;
            foreach (var (_, target, bytes) in plan)
            {
                var values = new float[bytes / 4];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)(offset + (i * 4L)), 4));
                }

                offset += bytes;
                stage.Weights.Add((target, values));
            }
        }

        if (pending.Count > 0)
        {
            throw root["weightsManifest"].Fail($"the manifest has no values for {string.Join(", ", pending.Select(v => v.DisplayName))}.");
        }
    }

    private static byte[] ReadShards(List<string> paths, string folder, long expectedBytes, ConfigNode where, LoadContext context)
    {
        long actual = 0;
        var files = new List<(string Name, UntrustedFile.Resolved File)>();
        foreach (string p in paths)
        {
            var shard = UntrustedFile.ResolveInside(folder, p, reason => context.Fail(p, reason));
            actual = checked(actual + shard.Length);
            files.Add((p, shard));
        }

        if (actual != expectedBytes)
        {
            throw where.Fail($"the manifest describes {expectedBytes} bytes of weights, the files hold {actual}.");
        }

        if (expectedBytes > KerasArchive.MaxMemberBytes)
        {
            throw where.Fail($"{expectedBytes} bytes of weights is beyond the supported {KerasArchive.MaxMemberBytes}.");
        }

        var data = new byte[expectedBytes];
        int at = 0;
        foreach (var (name, file) in files)
        {
            // The length checked above is the resolved target's; ReadExactly re-checks it on the opened handle.
            UntrustedFile.ReadExactly(file, data.AsSpan(at, (int)file.Length), reason => context.Fail(name, reason));
            at += (int)file.Length;
        }

        return data;
    }

    /// <summary>At most this many shard files in one model (TF.js writes 4 MB shards: this is 40 GB of weights).</summary>
    private const int MaxShards = 10_000;

    // A shard named twice would be read twice and counted twice, so a small folder could claim (and make us
    // allocate) thousands of times its size; TF.js names each shard once.
    private static void CheckShardOnce(string name, HashSet<string> seen, ConfigNode where)
    {
        if (!seen.Add(name))
        {
            throw where.Fail($"weight file '{name}' is listed more than once; each shard holds its own part of the weights.");
        }

        if (seen.Count > MaxShards)
        {
            throw where.Fail($"the manifest lists more than {MaxShards} weight files.");
        }
    }

    private static void CheckShardName(string p, ConfigNode where)
    {
        if (p.Length == 0 || p.Contains('/', StringComparison.Ordinal) || p.Contains('\\', StringComparison.Ordinal) || p.Contains(':', StringComparison.Ordinal)
            || p is "." or ".." || Path.IsPathRooted(p) || p.Any(char.IsControl))
        {
            throw where.Fail($"weight file '{p}' is not a plain file name next to model.json; paths are refused.");
        }
    }
}
