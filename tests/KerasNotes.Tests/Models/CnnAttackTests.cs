using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Models;

/// <summary>
/// An outside attack on CNN models: one model predicting and evaluating from many threads at once (with batches of
/// different sizes) gives the serial results bit for bit, gradients taken on many threads agree, a small CNN learns,
/// and inference does not allocate in proportion to the calls.
/// </summary>
public sealed class CnnAttackTests(ITestOutputHelper output)
{
    private static Sequential Cnn(int seed = 3)
    {
        var model = new Sequential(
            new Input(12, 11, 3),
            new Conv2D(8, 3, strides: 2, padding: "same", activation: "relu", kernelInitializer: new HeUniform(seed)),
            new BatchNormalization(),
            new Conv2D(6, (2, 3), dilationRate: (2, 1), padding: "same", activation: "tanh", kernelInitializer: new GlorotUniform(seed + 1)),
            new MaxPooling2D(3, strides: 2, padding: "same"),
            new AveragePooling2D((2, 1)),
            new Reshape(-1, 6),
            new Reshape(1, -1, 6),
            new GlobalMaxPooling2D(keepDims: true),
            new GlobalAveragePooling2D(),
            new Dense(4, activation: "softmax", kernelInitializer: new GlorotUniform(seed + 2)));
        model.Compile(new Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    private static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var x = GradientCheck.Random(seed, -1f, 1f, n, 12, 11, 3);
        var v = x.ToArray();
        var y = new float[n];
        int size = 12 * 11 * 3;
        for (int i = 0; i < n; i++)
        {
            double s0 = 0, s1 = 0;
            for (int j = 0; j < size; j++)
            {
                if (j % 3 == 0)
                {
                    s0 += v[(i * size) + j];
                }
                else if (j % 3 == 1 && (j / 33) < 6)
                {
                    s1 += v[(i * size) + j];
                }
            }

            y[i] = (s0 > 0 ? 2 : 0) + (s1 > 0 ? 1 : 0);
        }

        return (x, Tensor.FromArray(y, n));
    }

    [Fact]
    public void Predict_and_Evaluate_on_one_CNN_from_eight_threads_equal_the_serial_results_bit_for_bit()
    {
        var model = Cnn();
        var (x, y) = Data(40, 1);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        int[] sizes = [1, 3, 7, 16, 40, 2, 33, 5];
        var inputs = sizes.Select((n, i) => Data(n, 10 + i)).ToArray();
        var serialPredict = inputs.Select(d => model.Predict(d.X, batchSize: 16).ToArray()).ToArray();
        var serialEvaluate = inputs.Select(d => model.Evaluate(d.X, d.Y, batchSize: 16)).ToArray();

        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(sizes.Length);
        var threads = sizes.Select((_, t) => new Thread(() =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 5; round++)
            {
                int i = (t + round) % sizes.Length;
                var p = model.Predict(inputs[i].X, batchSize: 16).ToArray();
                if (!p.SequenceEqual(serialPredict[i]))
                {
                    errors.Enqueue($"thread {t} round {round}: Predict of input {i} differs");
                }

                if (round % 2 == 0)
                {
                    var e = model.Evaluate(inputs[i].X, inputs[i].Y, batchSize: 16);
                    if (!e.SequenceEqual(serialEvaluate[i]))
                    {
                        errors.Enqueue($"thread {t} round {round}: Evaluate of input {i} differs");
                    }
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        errors.Should().BeEmpty();
    }

    [Fact]
    public void Conv_gradients_taken_on_eight_threads_over_the_same_weights_equal_the_serial_ones()
    {
        var kernel = new Variable(GradientCheck.Random(2, -1f, 1f, 3, 3, 4, 5), "k");
        var inputs = Enumerable.Range(0, 8).Select(i => GradientCheck.Random(20 + i, -1f, 1f, 1 + i, 9 + i, 7, 4)).ToArray();
        float[] Grad(Tensor x)
        {
            using var tape = new GradientTape();
            var y = Ops.MaxPool2D(Ops.Relu(Ops.Conv2D(x, kernel, 2, "same")), 2, 1, "same");
            return tape.Gradient(Ops.Sum(Ops.Square(y)), [kernel])[0].ToArray();
        }

        var serial = inputs.Select(Grad).ToArray();
        var parallel = new float[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = Grad(inputs[i]));
        for (int i = 0; i < 8; i++)
        {
            TensorAssert.BitEqual(serial[i], parallel[i], $"gradient {i}");
        }
    }

    [Fact]
    public void A_small_CNN_learns_a_rule_on_images()
    {
        var model = Cnn(11);
        var (x, y) = Data(160, 2);
        var history = model.Fit(x, y, batchSize: 16, epochs: 12, verbose: 0, shuffle: false);
        var loss = history["loss"];
        output.WriteLine(string.Join(", ", loss.Select(l => l.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))));
        loss[^1].Should().BeLessThan(loss[0] * 0.7, "the loss goes down");
        history["accuracy"][^1].Should().BeGreaterThan(0.6);
    }

    [Fact]
    public void Repeated_CNN_predictions_do_not_allocate_in_proportion_to_the_calls()
    {
        var model = Cnn();
        var (x, _) = Data(32, 3);
        for (int i = 0; i < 5; i++)
        {
            model.PredictOnBatch(x);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            model.PredictOnBatch(x);
        }

        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
        output.WriteLine($"{perCall} bytes per PredictOnBatch of 32 images");
        long outputBytes = 32 * 4 * sizeof(float);
        perCall.Should().BeLessThan(64 * 1024 + outputBytes, "scratch memory is reused between calls");
    }
}
