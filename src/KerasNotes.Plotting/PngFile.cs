namespace KerasNotes.Plotting;

/// <summary>
/// Where a chart goes and how it gets there: the target is checked before anything is drawn, and the PNG is written
/// the way the core library writes model files, to a temporary file in the same folder that is flushed and then
/// renamed over the target, so a reader never sees half a picture and a failed write leaves the old file alone.
/// </summary>
/// <remarks>
/// The core's <c>AtomicFile</c> is internal to KerasNotes, and a separately versioned package should not reach into
/// another assembly's internals, so this is its small twin. The temporary name uses the same marker,
/// <c>.&lt;name&gt;.kerasnotes-tmp-&lt;32 hex&gt;</c>, so a user who finds one left by a killed process knows where it
/// came from.
/// </remarks>
internal static class PngFile
{
    private const string TemporaryMarker = ".kerasnotes-tmp-";

    /// <summary>
    /// The full path a chart will be written to; throws if <paramref name="path"/> is empty, does not end in
    /// <c>.png</c>, or names a folder that does not exist.
    /// </summary>
    public static string Target(string path, string argumentName = "path")
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{argumentName} must name a .png file, got '{path}'.", argumentName);
        }

        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{argumentName} must end with .png (charts are written as PNG), got '{path}'.", argumentName);
        }

        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Cannot write the chart '{path}': the folder '{folder}' does not exist.");
        }

        if (Directory.Exists(full))
        {
            throw new ArgumentException($"{argumentName} '{path}' is a folder; give the path of a .png file inside it.", argumentName);
        }

        return full;
    }

    // The core's rule (AtomicFile.TemporaryStem): a target name long enough that ".", the marker and 32 hex digits
    // would pass the 255-byte file-name limit is shortened to its longest prefix that fits.
    private static string TemporaryStem(string fileName)
    {
        const int MaxStemBytes = 255 - 1 - 16 - 32;
        int bytes = 0, end = 0;
        foreach (var rune in fileName.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxStemBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return fileName[..end];
    }

    /// <summary>Writes <paramref name="png"/> to <paramref name="fullPath"/> atomically (see the class remarks).</summary>
    public static void Write(string fullPath, ReadOnlySpan<byte> png)
    {
        string folder = Path.GetDirectoryName(fullPath)!;
        string temp = Path.Combine(folder, $".{TemporaryStem(Path.GetFileName(fullPath))}{TemporaryMarker}{Guid.NewGuid():N}");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(png);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the temporary file is hidden and uniquely named.
            }

            throw;
        }
    }
}
