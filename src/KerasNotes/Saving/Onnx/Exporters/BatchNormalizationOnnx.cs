using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// BatchNormalization in its inference form, folded to <c>Mul</c> + <c>Add</c> over the last axis:
/// y = x·s + t with s = γ/√(moving_variance + ε) and t = β − moving_mean·s. ONNX's own BatchNormalization wants the
/// channels on axis 1, and the graph keeps Keras's channels-last layout.
/// </summary>
internal static class BatchNormalizationOnnx
{
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<BatchNormalization>(Export);

    private static string Export(BatchNormalization layer, OnnxGraph g, string input)
    {
        if (layer.Axis != -1 && layer.Axis != layer.BuildInputShape!.Value.Rank - 1)
        {
            throw new NotSupportedException($"Layer '{layer.Name}' (BatchNormalization) normalises axis {layer.Axis}; only the last axis is exported.");
        }

        var mean = layer.MovingMean!.Value.AsSpan();
        var variance = layer.MovingVariance!.Value.AsSpan();
        int c = mean.Length;
        var scale = new float[c];
        var shift = new float[c];
        for (int i = 0; i < c; i++)
        {
            float gamma = layer.Scale ? layer.Gamma!.Value.AsSpan()[i] : 1f;
            float beta = layer.Center ? layer.Beta!.Value.AsSpan()[i] : 0f;
            scale[i] = gamma / MathF.Sqrt(variance[i] + (float)layer.Epsilon);
            shift[i] = beta - (mean[i] * scale[i]);
        }

        string y = g.AddNode("Mul", [input, g.AddInitializer(layer.Name + "/scale", Tensor.FromArray(scale, c))], name: layer.Name + "/scale");
        return g.AddNode("Add", [y, g.AddInitializer(layer.Name + "/shift", Tensor.FromArray(shift, c))], name: layer.Name);
    }
}
