namespace KerasNotes.Saving;

/// <summary>
/// A model or weights file that cannot be loaded: damaged, truncated, hostile, of an unsupported kind, or not
/// fitting the model it is loaded into. Loading raises only this exception for problems with the file, and
/// leaves the model in memory exactly as it was.
/// </summary>
/// <remarks>
/// <see cref="Exception.Message"/> reads <c>"&lt;path&gt; [&lt;entry&gt;]: &lt;reason&gt;"</c>; the three parts are also
/// available separately. <see cref="Exception.InnerException"/> holds the low-level error (zip, JSON or HDF5
/// reader) when there was one.
/// </remarks>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public ModelFormatException()
        : this(string.Empty, null, "The model file could not be read.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What was wrong.</param>
    public ModelFormatException(string message)
        : this(string.Empty, null, message)
    {
    }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The low-level error.</param>
    public ModelFormatException(string message, Exception? innerException)
        : this(string.Empty, null, message, innerException)
    {
    }

    /// <summary>Creates an exception naming the file, the part of it and what was wrong.</summary>
    /// <param name="path">The file (or folder) being loaded.</param>
    /// <param name="entry">The part of the file: a zip member, an HDF5 path, a JSON path; null for the whole file.</param>
    /// <param name="reason">What was wrong, with the value found and the value expected where there are any.</param>
    /// <param name="innerException">The low-level error, if any.</param>
    public ModelFormatException(string path, string? entry, string reason, Exception? innerException = null)
        : base(Compose(path, entry, reason), innerException)
    {
        FilePath = path ?? string.Empty;
        Entry = entry;
        Reason = reason ?? string.Empty;
    }

    /// <summary>The file (or folder) being loaded; empty when the exception was not raised for a file.</summary>
    public string FilePath { get; }

    /// <summary>The part of the file at fault: a zip member, an HDF5 path or a JSON path; null for the file as a whole.</summary>
    public string? Entry { get; }

    /// <summary>What was wrong.</summary>
    public string Reason { get; }

    private static string Compose(string path, string? entry, string reason)
    {
        string where = string.IsNullOrEmpty(path) ? string.Empty : path;
        if (!string.IsNullOrEmpty(entry))
        {
            where = where.Length == 0 ? $"[{entry}]" : $"{where} [{entry}]";
        }

        return where.Length == 0 ? reason : $"{where}: {reason}";
    }
}
