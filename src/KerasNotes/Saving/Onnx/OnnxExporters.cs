using System.Collections.Concurrent;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx;

/// <summary>
/// Which function exports each layer class to ONNX: every built-in layer registers its own from its exporter file,
/// and a custom layer can be given one with <see cref="Register{TLayer}"/>. An exporter receives the layer (built,
/// with its weights), the graph, and the name of its input value, and returns the name of its output value. A layer
/// called on a list of tensors in a functional model (a merge layer) is exported by a
/// <see cref="RegisterMultiInput{TLayer}"/> exporter, which receives the names of all its inputs.
/// </summary>
public static class OnnxExporters
{
    private static readonly ConcurrentDictionary<Type, Func<Layer, OnnxGraph, string, string>> s_exporters = new();
    private static readonly ConcurrentDictionary<Type, Func<Layer, OnnxGraph, IReadOnlyList<string>, IReadOnlyList<Shape>, string>> s_listExporters = new();

    /// <summary>Registers (or replaces) the exporter of layers of exactly the class <typeparamref name="TLayer"/>.</summary>
    /// <typeparam name="TLayer">The layer class.</typeparam>
    /// <param name="exporter">Adds the layer's nodes; returns the name of its output value.</param>
    public static void Register<TLayer>(Func<TLayer, OnnxGraph, string, string> exporter)
        where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(exporter);
        s_exporters[typeof(TLayer)] = (layer, graph, input) => exporter((TLayer)layer, graph, input);
    }

    /// <summary>
    /// Registers (or replaces) the exporter of layers of exactly the class <typeparamref name="TLayer"/> when they are
    /// called on a list of tensors in a functional model (<c>layer.Apply([a, b])</c>), as merge layers are.
    /// </summary>
    /// <typeparam name="TLayer">The layer class.</typeparam>
    /// <param name="exporter">Adds the layer's nodes, reading the names of its input values (in call order); returns the name of its output value.</param>
    /// <example><code>
    /// OnnxExporters.RegisterMultiInput&lt;WeightedSum&gt;((layer, g, inputs) =&gt;
    ///     g.AddNode("Add", [inputs[0], g.AddNode("Mul", [inputs[1], g.AddInitializer(layer.Name + "/w", layer.W.Value)])], name: layer.Name));
    /// </code></example>
    public static void RegisterMultiInput<TLayer>(Func<TLayer, OnnxGraph, IReadOnlyList<string>, string> exporter)
        where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(exporter);
        s_listExporters[typeof(TLayer)] = (layer, graph, inputs, _) => exporter((TLayer)layer, graph, inputs);
    }

    /// <summary>Registers a built-in list exporter that also needs the inputs' symbolic shapes (batch axis -1).</summary>
    internal static void RegisterList<TLayer>(Func<TLayer, OnnxGraph, IReadOnlyList<string>, IReadOnlyList<Shape>, string> exporter)
        where TLayer : Layer =>
        s_listExporters[typeof(TLayer)] = (layer, graph, inputs, shapes) => exporter((TLayer)layer, graph, inputs, shapes);

    /// <summary>True if layers of <paramref name="layerType"/> can be exported (called on one tensor or on a list).</summary>
    public static bool CanExport(Type layerType) => s_exporters.ContainsKey(layerType) || s_listExporters.ContainsKey(layerType);

    /// <summary>
    /// Exports a layer called on a list of values (a functional model's node): its list exporter, or, for a list of one,
    /// its single-input exporter. Throws <see cref="NotSupportedException"/> naming the layer when there is neither.
    /// </summary>
    internal static string ExportList(Layer layer, OnnxGraph graph, IReadOnlyList<string> inputs, IReadOnlyList<Shape> shapes)
    {
        if (!s_listExporters.TryGetValue(layer.GetType(), out var exporter))
        {
            if (inputs.Count == 1 && s_exporters.ContainsKey(layer.GetType()))
            {
                return Export(layer, graph, inputs[0]);
            }

            throw new NotSupportedException(
                $"Layer '{layer.Name}' ({layer.GetType().Name}) is called on a list of {inputs.Count} inputs and has no ONNX exporter for a list; " +
                $"register one with OnnxExporters.RegisterMultiInput<{layer.GetType().Name}>(...).");
        }

        return Checked(layer, graph, exporter(layer, graph, inputs, shapes));
    }

    /// <summary>Exports <paramref name="layer"/>, or throws <see cref="NotSupportedException"/> naming it.</summary>
    internal static string Export(Layer layer, OnnxGraph graph, string input)
    {
        if (!s_exporters.TryGetValue(layer.GetType(), out var exporter))
        {
            throw new NotSupportedException(
                $"Layer '{layer.Name}' ({layer.GetType().Name}) has no ONNX exporter; register one with OnnxExporters.Register<{layer.GetType().Name}>(...).");
        }

        return Checked(layer, graph, exporter(layer, graph, input));
    }

    private static string Checked(Layer layer, OnnxGraph graph, string output)
    {
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
