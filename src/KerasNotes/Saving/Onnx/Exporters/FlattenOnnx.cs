using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// Flatten → <c>Flatten(axis = 1)</c>: the tensor is still channels last in the exported graph, so the flattened
/// order is Keras's.
/// </summary>
internal static class FlattenOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Flatten>((layer, g, input) =>
        g.AddNode("Flatten", [input], new Dictionary<string, object> { ["axis"] = 1 }, layer.Name));
}
