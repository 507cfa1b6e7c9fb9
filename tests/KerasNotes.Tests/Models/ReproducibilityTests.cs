using KerasNotes.Data;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Optimizers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Models;

[Collection(GlobalKernelSettings.Name)]
public sealed class ReproducibilityTests
{
    private static IReadOnlyList<Tensor> TrainOnce(int seed, int threads)
    {
        int saved = Threading.IntraOpThreads;
        Threading.IntraOpThreads = threads;
        try
        {
            KerasNotes.RandomSeed.Set(seed);
            var x = GradientCheck.Random(9, 0f, 1f, 300, 64);
            var labels = Enumerable.Range(0, 300).Select(i => i % 10).ToArray();
            // Unseeded initializers, Dropout and shuffling all draw from the global seed.
            var model = new Sequential(
                new Input(64),
                new Dense(48, activation: "relu"),
                new BatchNormalization(),
                new Dropout(0.3),
                new Dense(10, activation: "softmax"));
            model.Compile(new Adam(1e-2), "sparse_categorical_crossentropy", ["accuracy"]);
            model.Fit(x, labels, batchSize: 32, epochs: 3, verbose: 0, shuffle: true);
            return model.GetWeights();
        }
        finally
        {
            Threading.IntraOpThreads = saved;
        }
    }

    [Fact]
    public void SetSeed_makes_a_training_run_repeat_bit_for_bit()
    {
        var a = TrainOnce(123, threads: 2);
        var b = TrainOnce(123, threads: 2);
        for (int i = 0; i < a.Count; i++)
        {
            TensorAssert.BitEqual(a[i].AsSpan(), b[i].AsSpan(), $"weight {i}");
        }
    }

    [Fact]
    public void A_seeded_run_gives_the_same_bits_on_one_thread_and_on_two()
    {
        var one = TrainOnce(77, threads: 1);
        var two = TrainOnce(77, threads: 2);
        for (int i = 0; i < one.Count; i++)
        {
            TensorAssert.BitEqual(one[i].AsSpan(), two[i].AsSpan(), $"weight {i}");
        }
    }

    [Fact]
    public void Different_seeds_give_different_runs()
    {
        var a = TrainOnce(1, threads: 2);
        var b = TrainOnce(2, threads: 2);
        a[0].ToArray().Should().NotEqual(b[0].ToArray());
    }
}
