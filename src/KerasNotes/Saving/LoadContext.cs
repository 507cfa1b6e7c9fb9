using KerasNotes.Saving.Json;
using KerasNotes.Serialization;

namespace KerasNotes.Saving;

/// <summary>The file being loaded, and the member being read, for error messages; resolves nested objects.</summary>
internal sealed class LoadContext(string path) : IConfigSource
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

    /// <inheritdoc />
    Exception IConfigSource.Fail(string where, string reason) => Fail($"{where}: {reason}");

    /// <inheritdoc />
    public T? Resolve<T>(ConfigNode node)
        where T : class, IRegistered<T> => KerasDeserializer.Resolve<T>(node);
}
