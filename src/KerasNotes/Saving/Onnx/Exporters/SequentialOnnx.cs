using System.Runtime.CompilerServices;
using KerasNotes.Models;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>A Sequential model used as a layer of another exports as its layers, one after the other.</summary>
internal static class SequentialOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Sequential>((model, g, input) =>
    {
        string current = input;
        foreach (var layer in model.Layers)
        {
            current = OnnxExporters.Export(layer, g, current);
        }

        return current;
    });
}
