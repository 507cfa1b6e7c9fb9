using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KerasNotes.Data;
using KerasNotes.Vision;

namespace KerasNotes.Benchmarks;

/// <summary>
/// The KerasNotes side of benchmarks/peers/image_features_peers.py: each feature on all 70,000 Fashion-MNIST images
/// (train + test, 28×28): the first call, then the median of later calls (each after a collection of the previous
/// result), printed as one JSON object of seconds.
/// </summary>
public static class ImageFeatureTiming
{
    public static int Run(string[] args)
    {
        int runs = 5, threads = Environment.ProcessorCount;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            int v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--runs": runs = v; break;
                case "--threads": threads = v; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}; usage: vision [--runs N] [--threads T]"); return 2;
            }
        }

        Threading.IntraOpThreads = threads;
        var ((train, _), (test, _)) = FashionMnist.Load();
        var all = new float[train.Size + test.Size];
        train.AsSpan().CopyTo(all);
        test.AsSpan().CopyTo(all.AsSpan(train.Size));
        var images = Tensor.FromArray(all, all.Length / 784, 28, 28);

        var features = new (string Name, Func<Tensor> Compute)[]
        {
            ("histogram_16", () => ImageFeatures.Histogram(images, bins: 16)),
            ("histogram_256", () => ImageFeatures.Histogram(images, bins: 256)),
            ("sobel_x", () => ImageFeatures.SobelX(images)),
            ("sobel_y", () => ImageFeatures.SobelY(images)),
            ("sobel_magnitude", () => ImageFeatures.SobelMagnitude(images)),
            ("hog_ppc4_cpb2_L2Hys", () => ImageFeatures.Hog(images, 9, 4, 2, "L2-Hys")),
            ("hog_ppc7_cpb1_L1", () => ImageFeatures.Hog(images, 9, 7, 1, "L1")),
        };
        var result = new Dictionary<string, object>
        {
            ["images"] = images.Shape[0],
            ["threads"] = threads,
            ["runs"] = runs,
        };
        foreach (var (name, compute) in features)
        {
            // The first call pays for the JIT and for the operating system's first touch of the output's pages.
            var cold = Stopwatch.StartNew();
            GC.KeepAlive(compute());
            result[name + "_first_call"] = cold.Elapsed.TotalSeconds;
            var seconds = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                // The previous result is garbage: collect it first, so a call writes into memory the process already
                // has (as a program computing features batch after batch does) and not into pages the operating
                // system must first hand out — on this VM that costs up to 20 µs per 4 KiB page under load, more
                // than the features themselves. The first call above shows the cost with fresh pages.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var clock = Stopwatch.StartNew();
                var y = compute();
                seconds.Add(clock.Elapsed.TotalSeconds);
                GC.KeepAlive(y);
            }

            seconds.Sort();
            result[name] = seconds[seconds.Count / 2];
            result[name + "_all"] = seconds;
        }

        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }
}
