using System.Runtime.CompilerServices;
using KerasNotes.Layers;

namespace KerasNotes.Saving.Onnx.Exporters;

/// <summary>
/// The merge layers: lower-rank inputs first get size-1 axes after the batch axis (<c>Unsqueeze</c>, as the layer's
/// <c>expand_dims(x, 1)</c>), then ONNX's NumPy broadcasting is Keras's. Add, Multiply, Maximum, Minimum fold binary
/// <c>Add</c>/<c>Mul</c>/<c>Max</c>/<c>Min</c> nodes left to right (the layer's order of operations); Subtract is
/// <c>Sub</c>; Average is the <c>Add</c>s then <c>Div</c> by the count; Concatenate is <c>Concat</c> on the layer's axis.
/// One input passes through as <c>Identity</c>.
/// </summary>
internal static class MergeOnnx
{
    [ModuleInitializer]
    internal static void Register()
    {
        OnnxExporters.RegisterList<Add>((layer, g, inputs, shapes) => Fold(layer, g, inputs, shapes, "Add"));
        OnnxExporters.RegisterList<Subtract>((layer, g, inputs, shapes) => Fold(layer, g, inputs, shapes, "Sub"));
        OnnxExporters.RegisterList<Multiply>((layer, g, inputs, shapes) => Fold(layer, g, inputs, shapes, "Mul"));
        OnnxExporters.RegisterList<Maximum>((layer, g, inputs, shapes) => Fold(layer, g, inputs, shapes, "Max"));
        OnnxExporters.RegisterList<Minimum>((layer, g, inputs, shapes) => Fold(layer, g, inputs, shapes, "Min"));
        OnnxExporters.RegisterList<Average>((layer, g, inputs, shapes) =>
        {
            string sum = Fold(layer, g, inputs, shapes, "Add");
            var count = Tensor.FromArray([inputs.Count], 1);
            return g.AddNode("Div", [sum, g.AddInitializer(layer.Name + "/count", count)], name: layer.Name + "/div");
        });
        OnnxExporters.RegisterList<Concatenate>((layer, g, inputs, _) => inputs.Count == 1
            ? g.AddNode("Identity", [inputs[0]], name: layer.Name)
            : g.AddNode("Concat", inputs, new Dictionary<string, object> { ["axis"] = (long)layer.Axis }, layer.Name + "/concat"));
    }

    private static string Fold(Merge layer, OnnxGraph g, IReadOnlyList<string> inputs, IReadOnlyList<Shape> shapes, string op)
    {
        if (inputs.Count == 1)
        {
            return g.AddNode("Identity", [inputs[0]], name: layer.Name);
        }

        int maxRank = shapes.Max(s => s.Rank);
        var aligned = new string[inputs.Count];
        for (int i = 0; i < aligned.Length; i++)
        {
            int missing = maxRank - shapes[i].Rank;
            aligned[i] = missing == 0
                ? inputs[i]
                : g.AddNode("Unsqueeze", [inputs[i], g.AddInitializer(layer.Name + "/axes", [.. Enumerable.Range(1, missing).Select(a => (long)a)])],
                    name: layer.Name + "/unsqueeze");
        }

        string y = aligned[0];
        string opName = layer.Name + "/" + op.ToLowerInvariant();
        for (int i = 1; i < aligned.Length; i++)
        {
            y = g.AddNode(op, [y, aligned[i]], name: opName);
        }

        return y;
    }
}
