namespace KerasNotes.Tests.TestSupport;

/// <summary>
/// The collection of tests that assert a wall-clock bound on a heavy load (100,000 layers, hostile files in a
/// child process). It runs on its own, after the parallel collections, so the bound measures the load and not
/// the other test classes competing for the same cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedRuns
{
    public const string Name = "TimedRuns";
}
