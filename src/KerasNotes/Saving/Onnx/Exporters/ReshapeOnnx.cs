using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>Reshape → <c>Reshape</c> to <c>[0, target…]</c>: 0 keeps the (symbolic) batch size, a −1 in the target stays −1.</summary>
internal static class ReshapeOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Reshape>((layer, g, input) =>
    {
        long[] shape = [0, .. layer.TargetShape.Select(d => (long)d)];
        return g.AddNode("Reshape", [input, g.AddInitializer(layer.Name + "/shape", shape)], name: layer.Name);
    });
}
