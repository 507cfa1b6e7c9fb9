using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// Flatten → <c>Flatten(axis = 1)</c>: the tensor is still channels last in the exported graph, so the flattened
/// order is Keras's. With <c>data_format = "channels_first"</c> the layer first moves axis 1 to the end (Keras's
/// permute), and so does the export, with a <c>Transpose</c>.
/// </summary>
internal static class FlattenOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Flatten>((layer, g, input) =>
    {
        int rank = layer.BuildInputShape!.Value.Rank;
        if (layer.DataFormat == "channels_first" && rank > 2)
        {
            long[] perm = [0, .. Enumerable.Range(2, rank - 2).Select(i => (long)i), 1];
            input = g.AddNode("Transpose", [input], new Dictionary<string, object> { ["perm"] = perm }, layer.Name + "/channels_last");
        }

        return g.AddNode("Flatten", [input], new Dictionary<string, object> { ["axis"] = 1 }, layer.Name);
    });
}
