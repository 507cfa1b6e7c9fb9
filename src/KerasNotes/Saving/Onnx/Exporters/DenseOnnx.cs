using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>Dense → <c>MatMul</c> (any rank: the kernel multiplies the last axis) + <c>Add</c> of the bias + the activation.</summary>
internal static class DenseOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Dense>(Export);

    private static string Export(Dense layer, OnnxGraph g, string input)
    {
        string y = g.AddNode("MatMul", [input, g.AddInitializer(layer.Name + "/kernel", layer.Kernel!.Value)], name: layer.Name + "/matmul");
        if (layer.UseBias)
        {
            y = g.AddNode("Add", [y, g.AddInitializer(layer.Name + "/bias", layer.Bias!.Value)], name: layer.Name + "/bias_add");
        }

        return OnnxActivations.Apply(g, layer.ActivationName, y, layer.Name);
    }
}
