using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// GlobalAveragePooling2D → <c>ReduceMean</c>, GlobalMaxPooling2D → <c>ReduceMax</c>, over the height and width
/// axes (1, 2) of the channels-last tensor, keeping them when the layer's <c>keepdims</c> does. Opset 18 moved the
/// axes from an attribute to an input; both forms are written by opset.
/// </summary>
internal static class GlobalPooling2DOnnx
{
    [ModuleInitializer]
    internal static void Register()
    {
        OnnxExporters.Register<GlobalAveragePooling2D>((layer, g, input) => Export(layer, "ReduceMean", g, input));
        OnnxExporters.Register<GlobalMaxPooling2D>((layer, g, input) => Export(layer, "ReduceMax", g, input));
    }

    private static string Export(GlobalPooling2D layer, string op, OnnxGraph g, string input)
    {
        long[] axes = [1, 2];
        var attributes = new Dictionary<string, object> { ["keepdims"] = layer.KeepDims ? 1 : 0 };
        if (g.Opset >= 18)
        {
            return g.AddNode(op, [input, g.AddInitializer(layer.Name + "/axes", axes)], attributes, layer.Name);
        }

        attributes["axes"] = axes;
        return g.AddNode(op, [input], attributes, layer.Name);
    }
}
