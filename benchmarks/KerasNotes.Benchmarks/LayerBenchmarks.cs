using BenchmarkDotNet.Attributes;
using KerasNotes.Layers;

namespace KerasNotes.Benchmarks;

/// <summary>Dense and BatchNormalization forward, and forward + backward under a tape, at the W1 sizes (batch 128).</summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    private readonly TensorArena _arena = new();
    private Tensor _x = null!;
    private Tensor _h = null!;
    private Dense _dense = null!;
    private BatchNormalization _bn = null!;

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.Random.SetSeed(1);
        _x = Tensor.FromArray(Enumerable.Range(0, 128 * 784).Select(i => (i % 255) / 255f).ToArray(), 128, 784);
        _h = Tensor.FromArray(Enumerable.Range(0, 128 * 256).Select(i => ((i % 17) - 8) / 8f).ToArray(), 128, 256);
        _dense = new Dense(256, activation: "relu");
        _dense.Apply(_x);
        _bn = new BatchNormalization();
        _bn.Apply(_h);
    }

    [Benchmark]
    public void DenseForward()
    {
        using (_arena.Enter())
        {
            _dense.Apply(_x, training: false);
        }
    }

    [Benchmark]
    public void DenseForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var y = _dense.Apply(_x, training: true);
            var loss = Ops.Sum(y);
            tape.Gradient(loss, _dense.TrainableWeights);
        }
    }

    [Benchmark]
    public void BatchNormForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var y = _bn.Apply(_h, training: true);
            tape.Gradient(Ops.Sum(y), _bn.TrainableWeights);
        }
    }
}
