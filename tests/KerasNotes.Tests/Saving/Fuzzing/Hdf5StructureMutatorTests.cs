using KerasNotes.Saving;
using Xunit.Abstractions;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// A mutator that only ever trips the first bounds check proves little: these tests hold the HDF5 mutator to
/// reaching the checks that matter (links to other files, cycles, loops, storage the reader refuses).
/// </summary>
public sealed class Hdf5StructureMutatorTests(ITestOutputHelper output)
{
    [Fact]
    public void HDF5_mutants_reach_the_readers_link_cycle_and_storage_checks()
    {
        using var scratch = SavingTestSupport.Temp();
        var refusals = new List<string>();
        foreach (string format in (string[])["hdf5-weights", "hdf5-legacy-keras2"])
        {
            var target = StructuredFuzzTests.Target(format, scratch);
            for (int seed = 0; seed < 1000; seed++)
            {
                try
                {
                    target.Load(target.Mutant(seed).Bytes, target.Name);
                }
                catch (ModelFormatException e)
                {
                    refusals.Add(e.Message);
                }
            }
        }

        string[] checks =
        [
            "is a soft link", "is an external link", "is a user-defined link", "external data files", "virtual dataset",
            "chunked dataset storage", "hard-link cycle", "continuation messages form a loop", "B-tree node", "outside the",
        ];
        foreach (string check in checks)
        {
            int hits = refusals.Count(r => r.Contains(check, StringComparison.Ordinal));
            output.WriteLine($"{hits,5} refusals mention '{check}'");
            hits.Should().BeGreaterThan(0, $"2,000 HDF5 mutants should reach the check that says '{check}'");
        }
    }

    [Fact]
    public void The_HDF5_mutator_never_changes_its_source_and_replays_from_a_seed()
    {
        using var scratch = SavingTestSupport.Temp();
        var target = StructuredFuzzTests.Target("hdf5-legacy-keras3", scratch);
        byte[] pristine = target.Bytes.ToArray();

        var first = target.Mutant(42);
        var again = target.Mutant(42);

        target.Bytes.Should().Equal(pristine);
        again.Bytes.Should().Equal(first.Bytes);
        again.Description.Should().Be(first.Description);
        first.Bytes.Should().NotEqual(pristine);
    }
}
