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

    /// <summary>The weights the layers checked so far will create, over every model in the file (nested ones included).</summary>
    public long PlannedWeights { get; set; }

    /// <summary>The layers (InputLayers aside) created so far, over every model in the file.</summary>
    public int LayersCreated { get; set; }

    /// <summary>The layer calls of functional graphs read so far, over every model in the file.</summary>
    public int NodesRead { get; set; }

    /// <summary>
    /// The shape work of the functional graphs built so far: each call costs one, plus the size of a nested model
    /// (whose graph is walked on every call), so a file cannot make the load quadratic by calling a big model often.
    /// </summary>
    public long GraphWork { get; set; }

    /// <summary>The layers created so far that the file marks with a <c>shared_object_id</c>, by that id.</summary>
    public Dictionary<string, KerasNotes.Layers.Layer> SharedLayers { get; } = new(StringComparer.Ordinal);

    public ModelFormatException Fail(string? entry, string reason, Exception? inner = null) => new(Path, entry, reason, inner);

    public ModelFormatException Fail(string reason) => new(Path, Entry.Length == 0 ? null : Entry, reason);

    /// <inheritdoc />
    Exception IConfigSource.Fail(string where, string reason) => Fail($"{where}: {reason}");

    /// <inheritdoc />
    public T? Resolve<T>(ConfigNode node)
        where T : class, IRegistered<T> => KerasDeserializer.Resolve<T>(node);
}
