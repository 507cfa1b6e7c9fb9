using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// Conv2D → <c>Transpose</c> to NCHW, <c>Conv</c> (kernel [kh, kw, in, out] stored as ONNX's [out, in, kh, kw],
/// bias, strides, dilations, TensorFlow's "same" pads), <c>Transpose</c> back, then the activation.
/// </summary>
internal static class Conv2DOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Conv2D>(Export);

    private static string Export(Conv2D layer, OnnxGraph g, string input)
    {
        string name = layer.Name;
        var kernel = Ops.Transpose(layer.Kernel!.Value, [3, 2, 0, 1]);
        var inputs = new List<string> { ChannelsFirst.ToNchw(g, input, name), g.AddInitializer(name + "/kernel", kernel) };
        if (layer.UseBias)
        {
            inputs.Add(g.AddInitializer(name + "/bias", layer.Bias!.Value));
        }

        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { layer.KernelSize.Height, layer.KernelSize.Width },
            ["strides"] = new long[] { layer.Strides.Height, layer.Strides.Width },
            ["dilations"] = new long[] { layer.DilationRate.Height, layer.DilationRate.Width },
            ["pads"] = ChannelsFirst.Pads(layer.BuildInputShape!.Value, layer.Padding, layer.KernelSize, layer.Strides, layer.DilationRate),
        };
        string y = ChannelsFirst.ToNhwc(g, g.AddNode("Conv", inputs, attributes, name + "/conv"), name);
        return OnnxActivations.Apply(g, layer.ActivationName, y, name);
    }
}
