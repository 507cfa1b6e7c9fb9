using KerasNotes.Initializers;
using KerasNotes.Kernels;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Kernels;

/// <summary>
/// A few seeded training steps (Dense relu → BatchNormalization → Dropout → Dense softmax, sparse crossentropy, Adam with
/// clipping) end with bit-identical weights on every SIMD level and on 1 or 2 threads: the architecture's promise that
/// results never depend on the instruction set or the thread count.
/// </summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class TrainingStepDeterminismTests
{
    private static float[] Train()
    {
        var dense = new Dense(96, "relu", kernelInitializer: new GlorotUniform(seed: 1));
        var bn = new BatchNormalization();
        var dropout = new Dropout(0.25, seed: 2);
        var head = new Dense(10, "softmax", kernelInitializer: new GlorotUniform(seed: 3));
        var loss = new SparseCategoricalCrossentropy();
        var optimizer = new Adam(learningRate: 0.01, clipNorm: 1.0);
        var x = GradientCheck.Random(4, -1f, 1f, 64, 300);
        var rng = new System.Random(5);
        var y = Tensor.FromLabels([.. Enumerable.Range(0, 64).Select(_ => rng.Next(10))]);
        Layer[] layers = [dense, bn, dropout, head];
        for (int step = 0; step < 3; step++)
        {
            using var tape = new GradientTape();
            Tensor h = x;
            foreach (var layer in layers)
            {
                h = layer.Apply(h, training: true);
            }

            var value = loss.Apply(y, h);
            var variables = layers.SelectMany(l => l.TrainableWeights).ToArray();
            var grads = tape.Gradient(value, variables);
            optimizer.ApplyGradients(grads.Zip(variables));
        }

        return [.. layers.SelectMany(l => l.Weights).SelectMany(v => v.ToArray())];
    }

    [Fact]
    public void Training_steps_are_bit_identical_on_every_simd_level_and_thread_count()
    {
        float[] reference;
        using (new IntraOpThreadsScope(1))
        {
            reference = SimdLevelScope.Run(SimdLevel.Scalar, Train);
        }

        foreach (var level in GlobalKernelSettings.Levels)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = new IntraOpThreadsScope(threads);
                TensorAssert.BitEqual(reference, SimdLevelScope.Run(level, Train), $"{level} with {threads} thread(s) vs Scalar with 1");
            }
        }
    }
}
