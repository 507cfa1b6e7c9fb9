using Google.Protobuf;
using KerasNotes.Models;
using KerasNotes.Saving.Onnx.Proto;

namespace KerasNotes.Saving.Onnx;

/// <summary>
/// Turns a built model into an ONNX <c>ModelProto</c>. A <see cref="Sequential"/> model gets one graph input <c>input</c>
/// of the model's input shape with a symbolic batch dimension, each layer through its registered exporter, and the last
/// value as the graph output <c>output</c>. A functional model gets one graph input per model input, named as its input
/// layer, its nodes in run order, and one graph output per model output, named as the layer that produces it (made
/// unique with <c>_1</c>… where two would clash). Everything is float32 and keeps Keras's channels-last layout.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>The oldest and newest operator set versions whose operators the exporters use unchanged.</summary>
    public const int MinOpset = 13, MaxOpset = 21;

    // The IR version released with each opset: 8 up to opset 18, 9 for 19-20, 10 for 21 (older runtimes read IR 8
    // for the lower opsets too).
    private static long IrVersion(int opset) => opset >= 21 ? 10 : opset >= 19 ? 9 : 8;

    public static void Write(Model model, Stream stream, int opset)
    {
        var proto = Build(model, opset);
        proto.WriteTo(stream);
    }

    private static ModelProto Build(Model model, int opset)
    {
        var graph = model switch
        {
            Sequential sequential => SequentialGraph(sequential, opset),
            { Graph: not null } => FunctionalModelGraph(model, opset),
            _ => throw new NotSupportedException(
                $"ExportOnnx exports Sequential and functional models; '{model.Name}' is a {model.GetType().Name} with no layer graph (a subclassed model)."),
        };
        var proto = new ModelProto
        {
            IrVersion = IrVersion(opset),
            ProducerName = "KerasNotes",
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"Keras model '{model.Name}' exported by KerasNotes (channels-last, float32).",
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }

    private static OnnxGraph SequentialGraph(Sequential sequential, int opset)
    {
        var inputShape = sequential.BuildInputShape
            ?? throw new InvalidOperationException(
                $"Model '{sequential.Name}' is not built (it has no layers after its Input, or no Input and was never called): " +
                "add layers and an Input, or call it once, before ExportOnnx.");
        var outputShape = sequential.ComputeOutputShape(inputShape);

        var graph = new OnnxGraph(opset);
        string inputName = graph.Unique("input");
        string current = OnnxExporters.Export(sequential, graph, inputName);

        // The graph output must be produced by a node; an empty model (or one of identities) ends in Identity.
        string output = graph.AddNode("Identity", [current], name: "output");
        graph.Proto.Input.Add(ValueInfo(inputName, inputShape));
        graph.Proto.Output.Add(ValueInfo(output, outputShape));
        return graph;
    }

    private static OnnxGraph FunctionalModelGraph(Model model, int opset)
    {
        var graph = new OnnxGraph(opset);
        var inputLayers = model.Graph!.InputLayers;
        var inputShapes = new Shape[inputLayers.Length];
        var inputNames = new string[inputLayers.Length];
        for (int i = 0; i < inputLayers.Length; i++)
        {
            inputShapes[i] = inputLayers[i].BatchShape;
            inputNames[i] = graph.Unique(inputLayers[i].Name);
        }

        // The outputs' names are kept before any layer is exported, so no exporter's value can take them.
        var outputNames = model.OutputNames.Select(graph.Reserve).ToArray();
        var outputShapes = model.ComputeOutputShapes(inputShapes);
        var values = FunctionalOnnx.Export(model, graph, inputNames);
        for (int i = 0; i < inputNames.Length; i++)
        {
            graph.Proto.Input.Add(ValueInfo(inputNames[i], inputShapes[i]));
        }

        for (int k = 0; k < values.Length; k++)
        {
            // Every graph output is produced by a node of its own, even when it is an input or another output's value.
            graph.Proto.Output.Add(ValueInfo(graph.AddReservedNode("Identity", [values[k]], outputNames[k]), outputShapes[k]));
        }

        return graph;
    }

    private static ValueInfoProto ValueInfo(string name, Shape shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        for (int i = 0; i < shape.Rank; i++)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (i == 0 || shape[i] < 0)
            {
                dim.DimParam = i == 0 ? "batch" : $"dim{i}";
            }
            else
            {
                dim.DimValue = shape[i];
            }

            tensor.Shape.Dim.Add(dim);
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
