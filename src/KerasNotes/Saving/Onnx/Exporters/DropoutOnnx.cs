using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>Dropout → <c>Identity</c>: an exported model predicts, and inverted dropout does nothing at inference.</summary>
internal static class DropoutOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Dropout>((layer, g, input) => g.AddNode("Identity", [input], name: layer.Name));
}
