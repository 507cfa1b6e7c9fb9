using KerasNotes.Models;
using PureHDF;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// Writes a whole-model legacy HDF5 file the way Keras 2 (tf.keras 2.x <c>model.save("m.h5")</c>) lays it out, with
/// PureHDF: root attributes <c>model_config</c> (JSON), <c>keras_version</c> and <c>backend</c>; a group
/// <c>model_weights</c> with <c>layer_names</c> (every layer) and, per layer, a group with <c>weight_names</c>
/// (<c>conv2d/kernel:0</c>, …) and the datasets at those paths. KerasNotes reads such files but never writes them,
/// so the tests make their own.
/// </summary>
internal static class LegacyH5Writer
{
    /// <summary>Writes <paramref name="model"/> (built) to <paramref name="path"/>; <paramref name="topology"/> replaces the model_config.</summary>
    public static void Write(Model model, string path, System.Text.Json.Nodes.JsonObject? topology = null)
    {
        string modelConfig = (topology ?? Keras2Topology.Of(model)).ToJsonString();
        var weights = new H5Group
        {
            Attributes = new()
            {
                ["layer_names"] = model.Layers.Select(l => l.Name).ToArray(),
                ["backend"] = "tensorflow",
                ["keras_version"] = "2.15.0",
            },
        };
        foreach (var layer in model.Layers)
        {
            var names = layer.Weights.Select(w => $"{layer.Name}/{w.Name}:0").ToArray();
            var group = new H5Group { Attributes = new() { ["weight_names"] = names } };
            if (layer.Weights.Count > 0)
            {
                var inner = new H5Group();
                foreach (var w in layer.Weights)
                {
                    var dims = new ulong[w.Shape.Rank];
                    for (int i = 0; i < dims.Length; i++)
                    {
                        dims[i] = (ulong)w.Shape[i];
                    }

                    inner[$"{w.Name}:0"] = new H5Dataset<float[]>(w.Value.ToArray(), fileDims: dims);
                }

                group[layer.Name] = inner;
            }

            weights[layer.Name] = group;
        }

        var file = new H5File
        {
            Attributes = new()
            {
                ["backend"] = "tensorflow",
                ["keras_version"] = "2.15.0",
                ["model_config"] = modelConfig,
            },
            ["model_weights"] = weights,
        };
        using var stream = File.Create(path);
        file.Write(stream);
    }
}
