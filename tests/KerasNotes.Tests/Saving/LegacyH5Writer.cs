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
    /// <remarks>
    /// Each layer's <c>weight_names</c> are its variables' paths with <c>:0</c> (<c>dense/kernel:0</c>), trainable ones
    /// first (Keras <c>_legacy_weights</c>); a nested model is one group holding all its layers' weights
    /// (<c>model_weights/inner/inner_dense/kernel:0</c>), as tf.keras 2 writes it.
    /// </remarks>
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
            var ordered = layer is Model ? [.. layer.TrainableWeights, .. layer.NonTrainableWeights] : layer.Weights;
            var group = new H5Group { Attributes = new() { ["weight_names"] = ordered.Select(w => $"{w.Path}:0").ToArray() } };
            foreach (var w in ordered)
            {
                var dims = new ulong[w.Shape.Rank];
                for (int i = 0; i < dims.Length; i++)
                {
                    dims[i] = (ulong)w.Shape[i];
                }

                var parts = $"{w.Path}:0".Split('/');
                var parent = group;
                foreach (string part in parts[..^1])
                {
                    if (!parent.TryGetValue(part, out var child))
                    {
                        child = new H5Group();
                        parent[part] = child;
                    }

                    parent = (H5Group)child;
                }

                parent[parts[^1]] = new H5Dataset<float[]>(w.Value.ToArray(), fileDims: dims);
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
