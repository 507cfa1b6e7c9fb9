using System.Runtime.CompilerServices;
using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Saving.Onnx;

/// <summary>
/// Exports a functional model's graph: its nodes in run order, each layer call through its exporter on the values of
/// its inputs (a layer called twice is exported twice, reading its weights from the same initializers), a nested
/// functional model as its own graph inline, a nested Sequential as its layers.
/// </summary>
internal static class FunctionalOnnx
{
    /// <summary>A functional model used as a layer of a Sequential exports as its graph (one input, one output).</summary>
    [ModuleInitializer]
    internal static void Register() => OnnxExporters.Register<Model>((model, g, input) =>
    {
        if (model.Graph is null || model.InputCount != 1 || model.OutputCount != 1)
        {
            throw new NotSupportedException(
                $"Model '{model.Name}' used as a layer exports only when it is functional with one input and one output " +
                $"(it has {model.InputCount} input(s), {model.OutputCount} output(s){(model.Graph is null ? ", no layer graph" : string.Empty)}).");
        }

        return Export(model, g, [input])[0];
    });

    /// <summary>Adds the nodes of <paramref name="model"/>'s graph reading <paramref name="inputs"/> (one value per model input); returns one value per output.</summary>
    public static string[] Export(Model model, OnnxGraph g, IReadOnlyList<string> inputs)
    {
        var graph = model.Graph ?? throw new NotSupportedException(
            $"Model '{model.Name}' ({model.GetType().Name}) has no layer graph to export: ONNX export takes Sequential and functional models.");
        if (inputs.Count != graph.Inputs.Length)
        {
            throw new InvalidOperationException($"Model '{model.Name}' takes {graph.Inputs.Length} input(s); the export gave it {inputs.Count}.");
        }

        var values = new Dictionary<KerasTensor, string>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Count; i++)
        {
            values[graph.Inputs[i]] = inputs[i];
        }

        foreach (var node in graph.Nodes)
        {
            if (node.IsInput)
            {
                continue;
            }

            var ins = new string[node.Inputs.Length];
            var shapes = new Shape[node.Inputs.Length];
            for (int i = 0; i < ins.Length; i++)
            {
                ins[i] = values[node.Inputs[i]];
                shapes[i] = node.Inputs[i].Shape;
            }

            if (node.Layer is Model { Graph: not null } nested)
            {
                var outs = Export(nested, g, ins);
                for (int k = 0; k < outs.Length; k++)
                {
                    values[node.Outputs[k]] = outs[k];
                }
            }
            else
            {
                values[node.Outputs[0]] = node.ListCall
                    ? OnnxExporters.ExportList(node.Layer, g, ins, shapes)
                    : OnnxExporters.Export(node.Layer, g, ins[0]);
            }
        }

        return Array.ConvertAll(graph.Outputs, t => values[t]);
    }
}
