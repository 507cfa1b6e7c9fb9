namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>One mutated input and what was done to it (printed when it fails, so it can be replayed as a regular test).</summary>
internal readonly record struct Mutant(byte[] Bytes, string Description);

/// <summary>
/// Turns a valid input into a damaged or hostile one, deterministically for a given generator. Add a mutator
/// (an HDF5-structure one, say) by implementing this and listing it in a <see cref="FuzzTarget"/>.
/// </summary>
internal interface IMutator
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Returns a mutant of <paramref name="source"/>; never changes <paramref name="source"/>.</summary>
    Mutant Mutate(byte[] source, System.Random rng);
}
