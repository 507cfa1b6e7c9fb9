using System.Globalization;
using System.Text;

namespace KerasNotes.Models;

public partial class Model
{
    /// <summary>
    /// Writes Keras's summary table — each layer's name and type, output shape and parameter count, then the
    /// totals — to <paramref name="writer"/> (the console by default).
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

        const int W1 = 33, W2 = 24, W3 = 15;
        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(Name).Append('"').AppendLine();
        sb.Append('┏').Append('━', W1).Append('┳').Append('━', W2).Append('┳').Append('━', W3).Append('┓').AppendLine();
        sb.Append("┃ ").Append("Layer (type)".PadRight(W1 - 2)).Append(" ┃ ").Append("Output Shape".PadRight(W2 - 2))
          .Append(" ┃ ").Append("Param #".PadLeft(W3 - 2)).Append(" ┃").AppendLine();
        sb.Append('┡').Append('━', W1).Append('╇').Append('━', W2).Append('╇').Append('━', W3).Append('┩').AppendLine();
        var shape = BuildInputShape!.Value;
        for (int i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            shape = layer.ComputeOutputShape(shape);
            // Like Keras's rich table, a cell that does not fit wraps onto further lines at word boundaries.
            var nameLines = Wrap($"{layer.Name} ({layer.GetType().Name})", W1 - 2);
            var shapeLines = Wrap(shape.ToKerasString(), W2 - 2);
            string pars = layer.CountParams().ToString("N0", CultureInfo.InvariantCulture);
            for (int line = 0; line < Math.Max(nameLines.Count, shapeLines.Count); line++)
            {
                sb.Append("│ ").Append((line < nameLines.Count ? nameLines[line] : string.Empty).PadRight(W1 - 2))
                  .Append(" │ ").Append((line < shapeLines.Count ? shapeLines[line] : string.Empty).PadRight(W2 - 2))
                  .Append(" │ ").Append((line == 0 ? pars : string.Empty).PadLeft(W3 - 2)).Append(" │").AppendLine();
            }

            if (i < Layers.Count - 1)
            {
                sb.Append('├').Append('─', W1).Append('┼').Append('─', W2).Append('┼').Append('─', W3).Append('┤').AppendLine();
            }
        }

        sb.Append('└').Append('─', W1).Append('┴').Append('─', W2).Append('┴').Append('─', W3).Append('┘').AppendLine();
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
