using System.Globalization;
using System.Text;
using KerasNotes.Layers;

namespace KerasNotes.Models;

public partial class Model
{
    // Keras renders the table with rich at the console width; outside a terminal that is 80 columns, less 4.
    private const int SummaryWidth = 76;

    /// <summary>
    /// Writes Keras's summary table — each layer's name and type, output shape and parameter count, then the
    /// totals — to <paramref name="writer"/> (the console by default). A functional model that is not a plain chain
    /// (branches, merges, shared layers) gets Keras's fourth column, "Connected to": the tensors each layer was
    /// called on, as <c>layer[node][tensor]</c>.
    /// </summary>
    /// <param name="writer">Where to write; <see cref="Console.Out"/> when null.</param>
    /// <exception cref="InvalidOperationException">The model is not built (give it an Input, or call Build or Fit first).</exception>
    public void Summary(TextWriter? writer = null)
    {
        writer ??= Console.Out;
        if (!Built)
        {
            throw new InvalidOperationException(
                $"Model '{Name}' is not built yet, so its shapes are unknown: start it with an Input, or call Build(...) or Fit(...) first.");
        }

        bool connected = _graph is not null && !IsChainLike(_graph);
        var rows = SummaryRows(connected);
        var widths = connected ? ColumnWidths(SummaryWidth, [0.3, 0.56, 0.74, 1.0]) : ColumnWidths(SummaryWidth, [0.45, 0.80, 1.0]);
        string[] headers = connected ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"];
        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(Name).Append('"').AppendLine();
        Rule(sb, widths, '┏', '━', '┳', '┓');
        Cells(sb, widths, headers, '┃');
        Rule(sb, widths, '┡', '━', '╇', '┩');
        for (int i = 0; i < rows.Count; i++)
        {
            Cells(sb, widths, rows[i], '│');
            if (i < rows.Count - 1)
            {
                Rule(sb, widths, '├', '─', '┼', '┤');
            }
        }

        Rule(sb, widths, '└', '─', '┴', '┘');
        long trainable = Count(TrainableWeights), nonTrainable = Count(NonTrainableWeights);
        long optimizerParams = Optimizer is { IsBuilt: true } ? Count(Optimizer.SlotVariables) + 1 + (Optimizer.Schedule is null ? 1 : 0) : 0;
        sb.Append(" Total params: ").Append(CountAndSize(trainable + nonTrainable + optimizerParams)).AppendLine();
        sb.Append(" Trainable params: ").Append(CountAndSize(trainable)).AppendLine();
        sb.Append(" Non-trainable params: ").Append(CountAndSize(nonTrainable)).AppendLine();
        if (optimizerParams > 0)
        {
            sb.Append(" Optimizer params: ").Append(CountAndSize(optimizerParams)).AppendLine();
        }

        writer.Write(sb.ToString());
        writer.Flush();
    }

    /// <summary>
    /// Keras's test for the three-column table: a functional model is "sequential-like" when every depth holds one
    /// node with at most one input tensor and no layer is called twice within the model.
    /// </summary>
    private static bool IsChainLike(FunctionalGraph graph)
    {
        var called = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes)
        {
            if (node.Inputs.Length > 1 || !called.Add(node.Layer))
            {
                return false;
            }
        }

        // One node per depth: with at most one input per node the graph is a tree towards the inputs, so it is a chain
        // exactly when each node feeds at most one other and only one input exists.
        var consumers = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                consumers[input] = consumers.GetValueOrDefault(input) + 1;
            }
        }

        foreach (var count in consumers.Values)
        {
            if (count > 1)
            {
                return false;
            }
        }

        return graph.InputLayers.Length == 1 && graph.Outputs.Length == 1;
    }

    private List<string[]> SummaryRows(bool connected)
    {
        var rows = new List<string[]>();
        if (_graph is null)
        {
            var shape = BuildInputShape!.Value;
            foreach (var layer in Layers)
            {
                shape = layer.ComputeOutputShape(shape);
                rows.Add([NameCell(layer), shape.ToKerasString(), Params(layer)]);
            }

            return rows;
        }

        foreach (var layer in _graph.Layers)
        {
            string name = NameCell(layer);
            if (connected)
            {
                rows.Add([name, OutputShapeText(layer), Params(layer), Connections(layer, _graph)]);
            }
            else
            {
                rows.Add([name, OutputShapeText(layer), Params(layer)]);
            }
        }

        return rows;
    }

    // "name (Type)" with Keras's class names (InputLayer, Functional); control characters in a name would break the
    // table's lines, so they print as spaces.
    private static string NameCell(Layer layer)
    {
        string type = layer switch
        {
            Input => "InputLayer",
            Model { Graph: not null } => "Functional",
            _ => layer.GetType().Name,
        };
        string text = $"{layer.Name} ({type})";
        return text.Any(char.IsControl) ? new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]) : text;
    }

    private static string Params(Layer layer) =>
        layer.Built || layer is Input ? layer.CountParams().ToString("N0", CultureInfo.InvariantCulture) : "0 (unbuilt)";

    // Keras shows the outputs of the layer's last call; several outputs as a list.
    private static string OutputShapeText(Layer layer)
    {
        var nodes = layer.InboundNodes;
        if (nodes.Count == 0)
        {
            return "?";
        }

        var outputs = nodes[^1].Outputs;
        if (outputs.Length == 1)
        {
            return outputs[0].Shape.ToKerasString();
        }

        var parts = new string[outputs.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = outputs[i].Shape.ToKerasString();
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    // Keras's get_connections: every input tensor of every call of the layer inside this model, "name[node][tensor]".
    private static string Connections(Layer layer, FunctionalGraph graph)
    {
        var parts = new List<string>();
        foreach (var node in layer.InboundNodes)
        {
            if (!graph.Contains(node))
            {
                continue;
            }

            foreach (var input in node.Inputs)
            {
                parts.Add($"{input.Layer.Name}[{input.NodeIndex}][{input.TensorIndex}]");
            }
        }

        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    /// <summary>
    /// The border-to-border width of each column as rich lays out Keras's table: column i ends at
    /// <c>int(position_i · width)</c>, each gets two cells of padding, and the excess over the width is taken back
    /// from the columns in turn, rounding half to even as Python does.
    /// </summary>
    private static int[] ColumnWidths(int width, double[] positions)
    {
        var widths = new int[positions.Length];
        int previous = 0;
        for (int i = 0; i < widths.Length; i++)
        {
            int end = (int)(positions[i] * width);
            widths[i] = end - previous + 2;
            previous = end;
        }

        int excess = -(width - (widths.Length + 1));
        foreach (int w in widths)
        {
            excess += w;
        }

        int ratioLeft = widths.Length;
        for (int i = 0; i < widths.Length && excess > 0; i++)
        {
            int take = (int)Math.Round((double)excess / ratioLeft, MidpointRounding.ToEven);
            widths[i] -= take;
            excess -= take;
            ratioLeft--;
        }

        return widths;
    }

    private static void Rule(StringBuilder sb, int[] widths, char left, char fill, char join, char right)
    {
        sb.Append(left);
        for (int i = 0; i < widths.Length; i++)
        {
            sb.Append(fill, widths[i]).Append(i < widths.Length - 1 ? join : right);
        }

        sb.AppendLine();
    }

    // One table row: each cell wraps at spaces to its width; the third column (Param #) is right-aligned.
    private static void Cells(StringBuilder sb, int[] widths, string[] cells, char bar)
    {
        var lines = new List<string>[cells.Length];
        int height = 1;
        for (int c = 0; c < cells.Length; c++)
        {
            lines[c] = Wrap(cells[c], widths[c] - 2);
            height = Math.Max(height, lines[c].Count);
        }

        for (int line = 0; line < height; line++)
        {
            sb.Append(bar);
            for (int c = 0; c < cells.Length; c++)
            {
                string text = line < lines[c].Count ? lines[c][line] : string.Empty;
                sb.Append(' ').Append(c == 2 ? text.PadLeft(widths[c] - 2) : text.PadRight(widths[c] - 2)).Append(' ').Append(bar);
            }

            sb.AppendLine();
        }
    }

    private static long Count(IReadOnlyList<Variable> variables)
    {
        long n = 0;
        foreach (var v in variables)
        {
            n += v.Shape.Size;
        }

        return n;
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (current.Length > 0 && current.Length + 1 + word.Length > width)
            {
                lines.Add(current.ToString());
                current.Clear();
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(word);
            while (current.Length > width)
            {
                lines.Add(current.ToString(0, width));
                current.Remove(0, width);
            }
        }

        lines.Add(current.ToString());
        return lines;
    }

    // "235,146 (918.54 KB)": float32 bytes in Keras's readable units.
    private static string CountAndSize(long count)
    {
        double bytes = count * 4.0;
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{count:N0} ({bytes:F2} {units[u]})");
    }
}
