using System.Collections.Concurrent;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx;

/// <summary>
/// Which function exports each layer class to ONNX: every built-in layer registers its own from its exporter file,
/// and a custom layer can be given one with <see cref="Register{TLayer}"/>. An exporter receives the layer (built,
/// with its weights), the graph, and the name of its input value, and returns the name of its output value.
/// </summary>
public static class OnnxExporters
{
    private static readonly ConcurrentDictionary<Type, Func<Layer, OnnxGraph, string, string>> s_exporters = new();

    /// <summary>Registers (or replaces) the exporter of layers of exactly the class <typeparamref name="TLayer"/>.</summary>
    /// <typeparam name="TLayer">The layer class.</typeparam>
    /// <param name="exporter">Adds the layer's nodes; returns the name of its output value.</param>
    public static void Register<TLayer>(Func<TLayer, OnnxGraph, string, string> exporter)
        where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(exporter);
        s_exporters[typeof(TLayer)] = (layer, graph, input) => exporter((TLayer)layer, graph, input);
    }

    /// <summary>True if layers of <paramref name="layerType"/> can be exported.</summary>
    public static bool CanExport(Type layerType) => s_exporters.ContainsKey(layerType);

    /// <summary>Exports <paramref name="layer"/>, or throws <see cref="NotSupportedException"/> naming it.</summary>
    internal static string Export(Layer layer, OnnxGraph graph, string input)
    {
        if (!s_exporters.TryGetValue(layer.GetType(), out var exporter))
        {
            throw new NotSupportedException(
                $"Layer '{layer.Name}' ({layer.GetType().Name}) has no ONNX exporter; register one with OnnxExporters.Register<{layer.GetType().Name}>(...).");
        }

        string output = exporter(layer, graph, input);
        // A custom exporter that names a value nothing produced would give a file no runtime can load; say so now.
        if (output is null || !graph.Defines(output))
        {
            throw new InvalidOperationException(
                $"The ONNX exporter of layer '{layer.Name}' ({layer.GetType().Name}) returned '{output ?? "null"}', which is neither its " +
                "input nor a value it added; an exporter returns the name AddNode (or AddInitializer) gave back.");
        }

        return output;
    }
}
