using KerasNotes.Saving.Files;
using KerasNotes.Saving.Onnx;

namespace KerasNotes.Models;

public partial class Model
{
    /// <summary>
    /// Writes the model as an ONNX file for inference (ONNX Runtime and other runtimes): the layers' inference form
    /// (Dropout as identity, BatchNormalization with its moving statistics), float32, Keras's channels-last input
    /// with a symbolic batch dimension. A <see cref="Sequential"/> model has graph input <c>input</c> and output
    /// <c>output</c>; a functional model has one graph input per model input, named as its input layer
    /// (<see cref="InputNames"/>), and one graph output per model output, named as the layer that produces it
    /// (<see cref="OutputNames"/>). The file is written to a temporary name and renamed into place. docs/onnx.md lists
    /// the operator each layer becomes.
    /// </summary>
    /// <param name="path">The file to write (conventionally <c>.onnx</c>).</param>
    /// <param name="opset">The ONNX operator set version to declare, 13 to 21.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opset"/> is outside 13–21.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX exporter (the message names it), or the
    /// model is neither <see cref="Sequential"/> nor functional (a subclassed model).</exception>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public void ExportOnnx(string path, int opset = 17)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var buffer = ExportToMemory(opset);
        AtomicFile.Write(path, stream => buffer.WriteTo(stream));
    }

    /// <summary>Writes the model as ONNX to <paramref name="stream"/> (see <see cref="ExportOnnx(string, int)"/>).</summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <param name="opset">The ONNX operator set version to declare, 13 to 21.</param>
    public void ExportOnnx(Stream stream, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = ExportToMemory(opset);
        buffer.WriteTo(stream);
    }

    // Built in memory first: a layer that cannot be exported fails before any file or stream is touched.
    private MemoryStream ExportToMemory(int opset)
    {
        CheckOpset(opset);
        using var use = UseGuard.Enter(this, nameof(ExportOnnx), change: false);
        var buffer = new MemoryStream();
        OnnxModelWriter.Write(this, buffer, opset);
        return buffer;
    }

    private static void CheckOpset(int opset)
    {
        if (opset is < OnnxModelWriter.MinOpset or > OnnxModelWriter.MaxOpset)
        {
            throw new ArgumentOutOfRangeException(nameof(opset),
                $"opset must be between {OnnxModelWriter.MinOpset} and {OnnxModelWriter.MaxOpset} (the versions whose operators the exporters use unchanged), got {opset}.");
        }
    }
}
