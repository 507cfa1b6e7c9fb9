using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Saving.Json;

/// <summary>
/// A functional model's configuration as Keras 3 writes it (<c>Functional.get_config</c>): every layer of
/// <c>model.layers</c> with its <c>name</c> and <c>inbound_nodes</c> (each call as <c>{"args", "kwargs"}</c>, tensors as
/// <c>__keras_tensor__</c> objects with a <c>keras_history</c>), then <c>input_layers</c> and <c>output_layers</c>.
/// </summary>
/// <remarks>
/// Node indices count only the calls that belong to this model (a layer shared with another model may have more), and
/// in <c>input_layers</c>/<c>output_layers</c> a nested functional model's nodes count from 1, as Keras writes them.
/// </remarks>
internal static class FunctionalSerializer
{
    public static Dictionary<string, object?> Serialize(Model model)
    {
        var graph = model.Graph!;
        var own = OwnNodeIndices(graph);
        var layers = new List<object?>(graph.Layers.Count);
        foreach (var layer in graph.Layers)
        {
            var entry = (Dictionary<string, object?>)KerasSerializer.SerializeLayer(layer);
            entry["name"] = layer.Name;
            var nodes = new List<object?>();
            foreach (var node in layer.InboundNodes)
            {
                // An Input's own node has no arguments: Keras writes nothing for it.
                if (!node.IsInput && graph.Contains(node))
                {
                    nodes.Add(SerializeNode(node, own));
                }
            }

            entry["inbound_nodes"] = nodes;
            if (KerasSerializer.FirstSharedWrite(layer) && entry.TryGetValue("shared_object_id", out var id))
            {
                // Keras marks the first copy of a shared layer only when it meets the second: after its inbound_nodes.
                // (A new dictionary: one that had a key removed may put the next key back in its place.)
                entry = entry.Where(p => p.Key != "shared_object_id").ToDictionary();
                entry["shared_object_id"] = id;
            }

            layers.Add(entry);
        }

        var config = new Dictionary<string, object?>
        {
            ["name"] = model.Name,
            ["trainable"] = model.Trainable,
            ["layers"] = layers,
            ["input_layers"] = TensorList(graph.Inputs, model.InputsAsList, own),
            ["output_layers"] = TensorList(graph.Outputs, model.OutputsAsList, own),
        };
        return new Dictionary<string, object?>
        {
            ["module"] = KerasSerializer.FunctionalModule,
            ["class_name"] = "Functional",
            ["config"] = config,
            ["registered_name"] = "Functional",
            ["build_config"] = new Dictionary<string, object?> { ["input_shape"] = null },
            ["compile_config"] = KerasSerializer.CompileConfigOf(model),
        };
    }

    /// <summary>Each node of the model numbered among its layer's nodes that belong to the model (Keras's renumbering).</summary>
    private static Dictionary<Node, int> OwnNodeIndices(FunctionalGraph graph)
    {
        var own = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        foreach (var layer in graph.Layers)
        {
            int index = 0;
            foreach (var node in layer.InboundNodes)
            {
                if (graph.Contains(node))
                {
                    own[node] = index++;
                }
            }
        }

        return own;
    }

    private static Dictionary<string, object?> SerializeNode(Node node, Dictionary<Node, int> own)
    {
        object? argument;
        object? mask = null;
        if (node.ListCall)
        {
            var tensors = new List<object?>(node.Inputs.Length);
            var masks = new List<object?>(node.Inputs.Length);
            foreach (var t in node.Inputs)
            {
                tensors.Add(SerializeTensor(t, own));
                masks.Add(null);
            }

            argument = tensors;
            mask = masks;
        }
        else
        {
            argument = SerializeTensor(node.Inputs[0], own);
        }

        // Keras fills in call()'s mask argument when the layer's call takes one (models, BatchNormalization): the
        // saved call then carries it, None for each input tensor.
        var kwargs = new Dictionary<string, object?>();
        if (node.Layer is Model or BatchNormalization)
        {
            kwargs["mask"] = mask;
        }

        return new Dictionary<string, object?>
        {
            ["args"] = new List<object?> { argument },
            ["kwargs"] = kwargs,
        };
    }

    private static Dictionary<string, object?> SerializeTensor(KerasTensor tensor, Dictionary<Node, int> own) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new Dictionary<string, object?>
        {
            ["shape"] = KerasSerializer.ShapeList(tensor.Shape),
            ["dtype"] = "float32",
            ["keras_history"] = new List<object?> { tensor.Layer.Name, own[tensor.Node], tensor.TensorIndex },
        },
    };

    /// <summary>
    /// <c>input_layers</c> / <c>output_layers</c>: one <c>[layer, node, tensor]</c> triple, or a list of them when the
    /// model was made from a list. A nested functional model's node counts from 1 here (Keras: it "starts with a
    /// pre-existing node"); a Sequential's does not.
    /// </summary>
    private static object TensorList(KerasTensor[] tensors, bool asList, Dictionary<Node, int> own)
    {
        var triples = new List<object?>(tensors.Length);
        foreach (var t in tensors)
        {
            int shift = KerasSerializer.IsFunctional(t.Layer) ? 1 : 0;
            triples.Add(new List<object?> { t.Layer.Name, own[t.Node] + shift, t.TensorIndex });
        }

        return asList ? triples : triples[0]!;
    }
}
