using System.Buffers.Binary;
using System.Text.Json.Nodes;
using KerasNotes.Models;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Writes a TensorFlow.js layers model as tfjs-layers 4.x does (see the fixture save_format/tfjs_layers_model):
/// <c>model.json</c> with <c>format: "layers-model"</c>, a Keras 2 style <c>modelTopology</c> and one
/// <c>weightsManifest</c> group, and <c>weights.bin</c> holding the float32 values little-endian in manifest order
/// (trainable weights in layer order, then the non-trainable ones, as tfjs lists them).
/// </summary>
internal static class TfjsWriter
{
    /// <summary>Writes <paramref name="model"/> (built) into <paramref name="folder"/>; returns the path of model.json.</summary>
    /// <remarks>A nested model's weights are named by their own layers (<c>inner_dense/kernel</c>), as tfjs names them.</remarks>
    public static string Write(Model model, string folder)
    {
        var leaves = model.LayersDeep().Where(l => l is not Model).ToList();
        var ordered = leaves.SelectMany(l => l.Weights.Where(w => w.Trainable).Select(w => (Layer: l, Weight: w)))
            .Concat(leaves.SelectMany(l => l.Weights.Where(w => !w.Trainable).Select(w => (Layer: l, Weight: w))))
            .ToList();
        var specs = new JsonArray();
        using (var bin = File.Create(Path.Combine(folder, "weights.bin")))
        {
            Span<byte> four = stackalloc byte[4];
            foreach (var (layer, weight) in ordered)
            {
                specs.Add(new JsonObject
                {
                    ["name"] = $"{layer.Name}/{weight.Name}",
                    ["shape"] = new JsonArray([.. weight.Shape.Dims.Select(d => (JsonNode)d)]),
                    ["dtype"] = "float32",
                });
                foreach (float v in weight.Value.ToArray())
                {
                    BinaryPrimitives.WriteSingleLittleEndian(four, v);
                    bin.Write(four);
                }
            }
        }

        var topology = Keras2Topology.Of(model, functionalClass: "Model");
        topology["keras_version"] = "tfjs-layers 4.22.0";
        topology["backend"] = "tensor_flow.js";
        var json = new JsonObject
        {
            ["modelTopology"] = topology,
            ["format"] = "layers-model",
            ["generatedBy"] = "TensorFlow.js tfjs-layers v4.22.0",
            ["convertedBy"] = null,
            ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray("weights.bin"), ["weights"] = specs }),
        };
        string path = Path.Combine(folder, "model.json");
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
