namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>A valid input, how to load it, and the mutators that damage it.</summary>
/// <param name="Name">What the input is, for reports.</param>
/// <param name="Bytes">The valid input.</param>
/// <param name="Load">Loads bytes (the path argument names them in messages).</param>
/// <param name="Mutators">The mutators to choose from, uniformly.</param>
internal sealed record FuzzTarget(string Name, byte[] Bytes, Action<byte[], string> Load, IReadOnlyList<IMutator> Mutators)
{
    /// <summary>
    /// The mutant for one seed: one to three mutations in a row (each by a mutator the seed chooses), so a seed
    /// alone replays it. A mutation that cannot apply to the previous one's output (JSON that no longer parses)
    /// ends the chain.
    /// </summary>
    public Mutant Mutant(int seed)
    {
        var rng = new System.Random(seed);
        int rounds = rng.Next(4) switch { 0 => 3, 1 => 2, _ => 1 };
        var current = new Mutant(Bytes, string.Empty);
        var steps = new List<string>();
        for (int i = 0; i < rounds; i++)
        {
            var mutator = Mutators[rng.Next(Mutators.Count)];
            try
            {
                var next = mutator.Mutate(current.Bytes, rng);
                current = next;
                steps.Add($"{mutator.Name}: {next.Description}");
            }
            catch (Exception e) when (i > 0 && e is System.Text.Json.JsonException or InvalidDataException or InvalidOperationException or ArgumentException or IOException or KeyNotFoundException or NullReferenceException)
            {
                break;
            }
        }

        return current with { Description = string.Join(" + ", steps) };
    }
}
