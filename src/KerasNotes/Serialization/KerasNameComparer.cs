namespace KerasNotes.Serialization;

/// <summary>
/// Compares Keras identifiers ignoring case and underscores (<c>"glorot_uniform"</c> = <c>"GlorotUniform"</c>),
/// as Keras's <c>initializers.get</c> does.
/// </summary>
internal sealed class KerasNameComparer : StringComparer
{
    public static KerasNameComparer Instance { get; } = new();

    public override int Compare(string? x, string? y) => string.CompareOrdinal(Normalize(x), Normalize(y));

    public override bool Equals(string? x, string? y) => string.Equals(Normalize(x), Normalize(y), StringComparison.Ordinal);

    public override int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return StringComparer.Ordinal.GetHashCode(Normalize(obj)!);
    }

    private static string? Normalize(string? s) => s?.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
