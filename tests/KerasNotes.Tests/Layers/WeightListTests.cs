using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Tests.Layers;

/// <summary>Weight lists are properties as in Keras, built once and reused until the structure changes.</summary>
public sealed class WeightListTests
{
    [Fact]
    public void Reading_weights_twice_returns_the_same_list_without_allocating()
    {
        var model = new Sequential(new Input(3), new Dense(4), new BatchNormalization(), new Dense(2));

        // The cache is stamped with one process-wide structure counter, which tests building layers on other threads
        // bump at any time: a round during which the counter moved is repeated rather than judged.
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int version = Layer.StructureVersion;
            var first = model.Weights;
            bool same = ReferenceEquals(model.Weights, first)
                && ReferenceEquals(model.TrainableWeights, model.TrainableWeights)
                && ReferenceEquals(model.Layers[0].Weights, model.Layers[0].Weights);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                _ = model.Weights.Count + model.TrainableWeights.Count + model.NonTrainableWeights.Count;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (Layer.StructureVersion != version)
            {
                continue;
            }

            same.Should().BeTrue();
            allocated.Should().BeLessThan(1000);
            return;
        }

        Assert.Fail("Other tests changed layer structures during every one of 200 rounds.");
    }

    [Fact]
    public void Weight_lists_follow_added_and_removed_layers_and_frozen_flags()
    {
        var model = new Sequential(new Input(3), new Dense(4));
        model.Weights.Should().HaveCount(2);
        model.Add(new BatchNormalization());
        model.Weights.Should().HaveCount(6);
        model.TrainableWeights.Should().HaveCount(4);
        model.NonTrainableWeights.Should().HaveCount(2);
        model.Layers[1].Trainable = false;
        model.TrainableWeights.Should().HaveCount(2);
        model.NonTrainableWeights.Should().HaveCount(4);
        model.Pop();
        model.Weights.Should().HaveCount(2);
        model.Trainable = false;
        model.TrainableWeights.Should().BeEmpty();
        model.NonTrainableWeights.Should().HaveCount(2);
    }

    [Fact]
    public void A_weight_list_cannot_be_changed_by_casting_it()
    {
        var dense = new Dense(2);
        dense.Apply(Tensor.Zeros(1, 3));
        dense.Weights.Should().NotBeAssignableTo<Variable[]>().And.NotBeAssignableTo<List<Variable>>();
    }
}
