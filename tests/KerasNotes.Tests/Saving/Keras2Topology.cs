using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Saving.Json;

namespace KerasNotes.Tests.Saving;

/// <summary>
/// A model's architecture as Keras 2 (tf.keras 2.x) and TensorFlow.js write it in a legacy <c>model_config</c> or a
/// <c>modelTopology</c>: <c>{"class_name", "config"}</c> envelopes without <c>module</c>, <c>registered_name</c> or
/// <c>build_config</c>, <c>"dtype": "float32"</c> as a plain string, no InputLayer entry and the input shape as
/// <c>batch_input_shape</c> on the first layer. The layer keys themselves (<c>filters</c>, <c>kernel_size</c>,
/// <c>pool_size</c>, …) are the same in Keras 2 and 3, so they are taken from our Keras 3 config.
/// </summary>
/// <remarks>
/// A functional model is written as tf.keras 2 writes it (<c>Functional.get_config</c> / <c>Node.serialize</c>): layer
/// entries <c>{"class_name", "config", "name", "inbound_nodes"}</c>, each call a list of
/// <c>[layer, node index, tensor index, {}]</c>, <c>input_layers</c>/<c>output_layers</c> always lists of triples, and a
/// nested model that has its own input counting its calls from 1 everywhere (its node 0 links its input to its outputs).
/// </remarks>
internal static class Keras2Topology
{
    /// <summary>The model's Keras 2 config; <paramref name="edit"/> may change each layer's config of a Sequential (class name, config).</summary>
    /// <param name="model">A Sequential or functional model.</param>
    /// <param name="edit">Changes each layer's config of a Sequential.</param>
    /// <param name="functionalClass">The class name a functional model is written under: <c>Functional</c> (tf.keras ≥ 2.4) or <c>Model</c> (older Keras, TF.js).</param>
    public static JsonObject Of(Model model, Action<string, JsonObject>? edit = null, string functionalClass = "Functional")
    {
        if (model.Graph is { } graph)
        {
            return Functional(model, graph, functionalClass);
        }

        var keras3 = JsonNode.Parse(PythonJson.Serialize(KerasSerializer.SerializeModel(model)))!.AsObject();
        var layers = new JsonArray();
        JsonNode? batchShape = null;
        foreach (var entry in keras3["config"]!["layers"]!.AsArray())
        {
            string cls = entry!["class_name"]!.GetValue<string>();
            var config = entry["config"]!.AsObject();
            if (cls == "InputLayer")
            {
                batchShape = config["batch_shape"]!.DeepClone();
                continue;
            }

            if (cls is "Sequential" or "Functional")
            {
                var nested = (Model)model.Layers[layers.Count];
                layers.Add(Of(nested, functionalClass: functionalClass));
                continue;
            }

            var legacy = Strip(config);
            if (layers.Count == 0 && batchShape is not null)
            {
                legacy["batch_input_shape"] = batchShape;
            }

            edit?.Invoke(cls, legacy);
            layers.Add(new JsonObject { ["class_name"] = cls, ["config"] = legacy });
        }

        return new JsonObject
        {
            ["class_name"] = "Sequential",
            ["config"] = new JsonObject { ["name"] = model.Name, ["layers"] = layers },
        };
    }

    private static JsonObject Functional(Model model, FunctionalGraph graph, string functionalClass)
    {
        var layers = new JsonArray();
        foreach (var layer in graph.Layers)
        {
            JsonObject entry;
            if (layer is Model nested)
            {
                entry = Of(nested, functionalClass: functionalClass);
            }
            else
            {
                var keras3 = JsonNode.Parse(PythonJson.Serialize(KerasSerializer.SerializeLayer(layer)))!.AsObject();
                var config = Strip(keras3["config"]!.AsObject());
                if (layer is Input)
                {
                    config = new JsonObject
                    {
                        ["batch_input_shape"] = config["batch_shape"]!.DeepClone(),
                        ["dtype"] = "float32",
                        ["sparse"] = false,
                        ["ragged"] = false,
                        ["name"] = layer.Name,
                    };
                }

                entry = new JsonObject { ["class_name"] = keras3["class_name"]!.DeepClone(), ["config"] = config };
            }

            entry["name"] = layer.Name;
            var calls = new JsonArray();
            foreach (var node in layer.InboundNodes)
            {
                if (!node.IsInput && graph.Contains(node))
                {
                    calls.Add(new JsonArray([.. node.Inputs.Select(t => (JsonNode)Triple(t, graph, new JsonObject()))]));
                }
            }

            entry["inbound_nodes"] = calls;
            layers.Add(entry);
        }

        return new JsonObject
        {
            ["class_name"] = functionalClass,
            ["config"] = new JsonObject
            {
                ["name"] = model.Name,
                ["trainable"] = model.Trainable,
                ["layers"] = layers,
                ["input_layers"] = new JsonArray([.. graph.Inputs.Select(t => (JsonNode)Triple(t, graph, null))]),
                ["output_layers"] = new JsonArray([.. graph.Outputs.Select(t => (JsonNode)Triple(t, graph, null))]),
            },
        };
    }

    /// <summary><c>[layer, node index, tensor index(, kwargs)]</c> with tf.keras's numbering: this model's calls only, from 1 for a nested model with its own input.</summary>
    private static JsonArray Triple(KerasTensor tensor, FunctionalGraph graph, JsonObject? kwargs)
    {
        int index = tensor.Layer.InboundNodes.Where(graph.Contains).TakeWhile(n => !ReferenceEquals(n, tensor.Node)).Count();
        int first = tensor.Layer is Model m && (m.Graph is not null || m is Sequential { InputLayer: not null }) ? 1 : 0;
        var triple = new JsonArray(tensor.Layer.Name, index + first, tensor.TensorIndex);
        if (kwargs is not null)
        {
            triple.Add(kwargs);
        }

        return triple;
    }

    // Keras 3 envelopes become Keras 2's {"class_name", "config"}; the DTypePolicy object becomes "float32".
    private static JsonObject Strip(JsonObject config)
    {
        var result = new JsonObject();
        foreach (var (key, value) in config)
        {
            result[key] = key == "dtype" ? "float32" : StripValue(value);
        }

        return result;
    }

    private static JsonNode? StripValue(JsonNode? value) =>
        value is JsonObject o && o.ContainsKey("class_name")
            ? new JsonObject { ["class_name"] = o["class_name"]!.DeepClone(), ["config"] = o["config"] is JsonObject c ? Strip(c) : o["config"]?.DeepClone() }
            : value?.DeepClone();
}
