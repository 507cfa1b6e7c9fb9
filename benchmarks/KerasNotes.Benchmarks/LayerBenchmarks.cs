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
    private Dropout _dropout = null!;
    private Dense _output = null!;
    private Tensor _labels = null!;
    private Optimizers.Adam _adam = null!;
    private (Tensor, Variable)[] _adamPairs = [];

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.RandomSeed.Set(1);
        _x = Tensor.FromArray(Enumerable.Range(0, 128 * 784).Select(i => (i % 255) / 255f).ToArray(), 128, 784);
        _h = Tensor.FromArray(Enumerable.Range(0, 128 * 256).Select(i => ((i % 17) - 8) / 8f).ToArray(), 128, 256);
        _dense = new Dense(256, activation: "relu");
        _dense.Apply(_x);
        _bn = new BatchNormalization();
        _bn.Apply(_h);
        _dropout = new Dropout(0.2, seed: 1);
        _output = new Dense(10, activation: "softmax");
        _output.Apply(_h);
        _labels = Tensor.FromLabels(Enumerable.Range(0, 128).Select(i => i % 10).ToArray());

        // Adam over the W1 model's 235,914 trainable values, as one step updates them.
        var model = Workloads.W1Model(256);
        _adam = new Optimizers.Adam();
        _adamPairs = model.TrainableWeights.Select(v => (Tensor.Full(1e-3f, v.Shape.Dims), v)).ToArray();
        _adam.ApplyGradients(_adamPairs);
    }

    [Benchmark]
    public void DropoutForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var h = new Variable(_h, "h");
            var y = _dropout.Apply(h, training: true);
            tape.Gradient(Ops.Sum(y), [h]);
        }
    }

    [Benchmark]
    public void SoftmaxCrossentropyForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var y = _output.Apply(_h, training: true);
            var loss = new Losses.SparseCategoricalCrossentropy().Apply(_labels, y);
            tape.Gradient(loss, _output.TrainableWeights);
        }
    }

    [Benchmark]
    public void AdamStepW1() => _adam.ApplyGradients(_adamPairs);

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
