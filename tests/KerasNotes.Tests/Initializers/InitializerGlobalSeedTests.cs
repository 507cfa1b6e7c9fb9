using KerasNotes.Initializers;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Initializers;

/// <summary>The global seed makes unseeded initializers repeat (it changes a process-wide setting, so it runs alone).</summary>
[Collection(GlobalKernelSettings.Name)]
public sealed class InitializerGlobalSeedTests
{
    [Fact]
    public void SetSeed_makes_unseeded_initializers_repeat()
    {
        try
        {
            KerasNotes.RandomSeed.Set(1234);
            var first = new GlorotUniform().Call(new Shape(6, 5)).ToArray();
            var firstNormal = new HeNormal().Call(new Shape(6, 5)).ToArray();
            KerasNotes.RandomSeed.Set(1234);
            var second = new GlorotUniform().Call(new Shape(6, 5)).ToArray();
            var secondNormal = new HeNormal().Call(new Shape(6, 5)).ToArray();
            second.Should().Equal(first);
            secondNormal.Should().Equal(firstNormal);
            KerasNotes.RandomSeed.Value.Should().Be(1234);
            KerasNotes.RandomSeed.Set(4321);
            new GlorotUniform().Call(new Shape(6, 5)).ToArray().Should().NotEqual(first, "another seed gives other values");
        }
        finally
        {
            // Leave no fixed seed behind for tests that run after this one.
            KerasNotes.RandomSeed.Set(System.Random.Shared.Next());
        }
    }

    [Fact]
    public void Seeded_initializers_ignore_the_global_seed()
    {
        try
        {
            KerasNotes.RandomSeed.Set(1);
            var a = new GlorotUniform(seed: 9).Call(new Shape(3, 3)).ToArray();
            KerasNotes.RandomSeed.Set(2);
            new GlorotUniform(seed: 9).Call(new Shape(3, 3)).ToArray().Should().Equal(a);
        }
        finally
        {
            KerasNotes.RandomSeed.Set(System.Random.Shared.Next());
        }
    }
}
