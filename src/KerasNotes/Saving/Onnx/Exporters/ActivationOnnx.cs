using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>Activation → the activation's nodes.</summary>
internal static class ActivationOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Activation>((layer, g, input) => OnnxActivations.Apply(g, layer.ActivationName, input, layer.Name));
}
