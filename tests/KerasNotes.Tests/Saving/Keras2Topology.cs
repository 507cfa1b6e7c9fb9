using System.Text.Json.Nodes;
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
internal static class Keras2Topology
{
    /// <summary>The Sequential model's Keras 2 config; <paramref name="edit"/> may change each layer's config (class name, config).</summary>
    public static JsonObject Of(Model model, Action<string, JsonObject>? edit = null)
    {
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
