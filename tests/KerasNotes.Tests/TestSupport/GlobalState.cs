namespace KerasNotes.Tests.TestSupport;

/// <summary>Tests that set process-wide state (the global seed, the thread count) run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalState
{
    public const string Name = "Global random and threading state";
}
