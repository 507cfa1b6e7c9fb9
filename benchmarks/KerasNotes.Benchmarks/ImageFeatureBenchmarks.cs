using BenchmarkDotNet.Attributes;
using KerasNotes.Data;
using KerasNotes.Vision;

namespace KerasNotes.Benchmarks;

/// <summary>
/// Each image feature on 10,000 Fashion-MNIST test images (28×28, grey levels 0…255) with the intra-op threads
/// (the whole 70,000-image timing, against scikit-image and OpenCV, is <see cref="ImageFeatureTiming"/>).
/// </summary>
[MemoryDiagnoser]
public class ImageFeatureBenchmarks
{
    private Tensor _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (_, (x, _)) = FashionMnist.Load();
        // The dry-run test needs only the code path, not the full set.
        _images = Environment.GetEnvironmentVariable(TrainingBenchmarks.SmokeVariable) == "1" ? x.SliceRows(0, 256) : x;
    }

    [Benchmark]
    public Tensor Histogram16() => ImageFeatures.Histogram(_images, bins: 16);

    [Benchmark]
    public Tensor SobelX() => ImageFeatures.SobelX(_images);

    [Benchmark]
    public Tensor SobelMagnitude() => ImageFeatures.SobelMagnitude(_images);

    [Benchmark]
    public Tensor HogCells4Blocks2() => ImageFeatures.Hog(_images, orientations: 9, pixelsPerCell: 4, cellsPerBlock: 2, blockNorm: "L2-Hys");

    [Benchmark]
    public Tensor HogCells7Blocks1L1() => ImageFeatures.Hog(_images, orientations: 9, pixelsPerCell: 7, cellsPerBlock: 1, blockNorm: "L1");
}
