using System.Diagnostics;
using KerasNotes.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KerasNotes.Benchmarks;

/// <summary>
/// Predict vs ONNX Runtime on the same exported model (the W1 MLP and the W5 convnet, freshly initialised): median
/// latency of one call at batch 1 and at batch 256, each side warmed up first, the two threads of the peer
/// benchmarks on both (ORT's intra-op threads set to match). `peer ONNX` prints one JSON object;
/// KERASNOTES_ONNX_DIR=DIR also writes the two exported files there (W1.onnx, W5.onnx).
/// </summary>
internal static class OnnxLatency
{
    public static Dictionary<string, object> Run(int threads)
    {
        var results = new Dictionary<string, object> { ["workload"] = "ONNX", ["threads"] = threads };
        foreach (var (name, model, sample) in new (string, Sequential, int[])[]
                 {
                     ("W1", Workloads.W1Model(256), [784]),
                     ("W5", Workloads.W5Model(), [28, 28, 1]),
                 })
        {
            using var file = new MemoryStream();
            model.ExportOnnx(file);
            if (Environment.GetEnvironmentVariable("KERASNOTES_ONNX_DIR") is { Length: > 0 } dir)
            {
                // For tools/onnx-check.py: the files this measurement ran.
                File.WriteAllBytes(Path.Combine(dir, name + ".onnx"), file.ToArray());
            }

            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            using var session = new InferenceSession(file.ToArray(), options);
            foreach (int batch in new[] { 1, 256 })
            {
                int[] shape = [batch, .. sample];
                var x = Tensor.Zeros(shape);
                var input = new DenseTensor<float>(x.ToArray(), shape);
                var inputs = new[] { NamedOnnxValue.CreateFromTensor("input", input) };
                results[$"{name}_b{batch}_predict_ms"] = Median(() => model.PredictOnBatch(x));
                results[$"{name}_b{batch}_onnxruntime_ms"] = Median(() =>
                {
                    using var r = session.Run(inputs);
                });
            }
        }

        return results;
    }

    private static double Median(Action call)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1)
        {
            call();
        }

        var samples = new double[101];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
