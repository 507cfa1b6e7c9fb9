using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// MaxPooling2D → <c>MaxPool</c>, AveragePooling2D → <c>AveragePool(count_include_pad = 0)</c> (Keras divides a
/// "same"-padded window by its real elements), each between two <c>Transpose</c>s, with TensorFlow's "same" pads.
/// </summary>
internal static class Pooling2DOnnx
{
    [ModuleInitializer]
    internal static void Register()
    {
        OnnxExporters.Register<MaxPooling2D>((layer, g, input) => Export(layer, "MaxPool", g, input, countIncludePad: null));
        OnnxExporters.Register<AveragePooling2D>((layer, g, input) => Export(layer, "AveragePool", g, input, countIncludePad: 0));
    }

    private static string Export(Pooling2D layer, string op, OnnxGraph g, string input, int? countIncludePad)
    {
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { layer.PoolSize.Height, layer.PoolSize.Width },
            ["strides"] = new long[] { layer.Strides.Height, layer.Strides.Width },
            ["pads"] = ChannelsFirst.Pads(layer.BuildInputShape!.Value, layer.Padding, layer.PoolSize, layer.Strides, (1, 1)),
        };
        if (countIncludePad is { } c)
        {
            attributes["count_include_pad"] = c;
        }

        string pooled = g.AddNode(op, [ChannelsFirst.ToNchw(g, input, layer.Name)], attributes, layer.Name + "/" + op.ToLowerInvariant());
        return ChannelsFirst.ToNhwc(g, pooled, layer.Name);
    }
}
