using BenchmarkDotNet.Attributes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;

namespace KerasNotes.Benchmarks;

/// <summary>The W5 convnet's pieces at batch 128: its second convolution and first pooling, forward and forward + backward, and one whole training step.</summary>
[MemoryDiagnoser]
public class ConvBenchmarks
{
    private readonly TensorArena _arena = new();
    private Tensor _pooled = null!;
    private Tensor _conv1Out = null!;
    private Conv2D _conv = null!;
    private MaxPooling2D _pool = null!;
    private Sequential _w5 = null!;
    private Tensor _images = null!;
    private Tensor _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        KerasNotes.RandomSeed.Set(1);
        _pooled = Tensor.FromArray(Enumerable.Range(0, 128 * 13 * 13 * 32).Select(i => ((i % 23) - 11) / 11f).ToArray(), 128, 13, 13, 32);
        _conv1Out = Tensor.FromArray(Enumerable.Range(0, 128 * 26 * 26 * 32).Select(i => ((i * 7) % 31) / 31f).ToArray(), 128, 26, 26, 32);
        _conv = new Conv2D(64, 3, activation: "relu");
        _conv.Apply(_pooled);
        _pool = new MaxPooling2D(2);
        _pool.Apply(_conv1Out);
        _w5 = Workloads.W5Model();
        _w5.Compile(new Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"]);
        _images = Tensor.FromArray(Enumerable.Range(0, 128 * 784).Select(i => (i % 255) / 255f).ToArray(), 128, 28, 28, 1);
        _labels = Tensor.FromLabels(Enumerable.Range(0, 128).Select(i => i % 10).ToArray());
        _w5.TrainStep(_images, _labels, null); // builds the optimizer
    }

    /// <summary>Conv2D(64, 3, relu) on [128, 13, 13, 32]: 0.57 GFLOP.</summary>
    [Benchmark]
    public void Conv2DForward()
    {
        using (_arena.Enter())
        {
            _conv.Apply(_pooled, training: false);
        }
    }

    /// <summary>The same convolution with the gradients of its input, kernel and bias: 1.7 GFLOP.</summary>
    [Benchmark]
    public void Conv2DForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var x = new Variable(_pooled, "x");
            var y = _conv.Apply(x, training: true);
            tape.Gradient(Ops.Sum(y), [x, _conv.Kernel!, _conv.Bias!]);
        }
    }

    /// <summary>MaxPooling2D(2) on [128, 26, 26, 32].</summary>
    [Benchmark]
    public void MaxPoolForward()
    {
        using (_arena.Enter())
        {
            _pool.Apply(_conv1Out, training: false);
        }
    }

    /// <summary>MaxPooling2D(2) with the gradient of its input.</summary>
    [Benchmark]
    public void MaxPoolForwardBackward()
    {
        using (_arena.Enter())
        {
            using var tape = new GradientTape();
            var x = new Variable(_conv1Out, "x");
            var y = _pool.Apply(x, training: true);
            tape.Gradient(Ops.Sum(y), [x]);
        }
    }

    /// <summary>One W5 training step (batch 128) as Fit runs it: 1.8 GFLOP.</summary>
    [Benchmark]
    public void W5TrainStep() => _w5.TrainStep(_images, _labels, null);
}
