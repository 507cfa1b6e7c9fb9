namespace KerasNotes.Saving;

/// <summary>The file being loaded, and the member being read, for error messages.</summary>
internal sealed class LoadContext(string path)
{
    public string Path { get; } = path;

    public string Entry { get; set; } = string.Empty;

    /// <summary>
    /// How many bytes of weights the file can hold: a model whose configuration implies more (a hostile
    /// <c>units</c> or input shape) is refused before any weight is allocated.
    /// </summary>
    public long WeightBudgetBytes { get; set; } = long.MaxValue;

    public ModelFormatException Fail(string? entry, string reason, Exception? inner = null) => new(Path, entry, reason, inner);

    public ModelFormatException Fail(string reason) => new(Path, Entry.Length == 0 ? null : Entry, reason);
}
