namespace KerasNotes.Saving.Files;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a mix: the bytes
/// go to a temporary file in the same folder, are flushed to disk, and the temporary file is then renamed over
/// the target. If anything fails midway the temporary file is removed and the previous file is untouched.
/// </summary>
/// <remarks>
/// The temporary file is <c>.&lt;file name&gt;.kerasnotes-tmp-&lt;32 hex digits&gt;</c> next to the target (hidden on
/// Unix, and named so a user who finds one knows where it came from). Only a process killed mid-save leaves one
/// behind; the next save to the same path removes such leftovers (see <see cref="StaleTemporaries"/>).
/// </remarks>
internal static class AtomicFile
{
    /// <summary>What sits between the target's name and the random part in a temporary file's name.</summary>
    public const string TemporaryMarker = ".kerasnotes-tmp-";

    private static readonly AsyncLocal<Func<Stream, Stream>?> s_streamWrapper = new();

    /// <summary>Test hook: wraps the temporary file's stream (e.g. to fail after N bytes). Flows with the async context only.</summary>
    internal static Func<Stream, Stream>? StreamWrapperForTests
    {
        get => s_streamWrapper.Value;
        set => s_streamWrapper.Value = value;
    }

    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save '{path}': the folder '{directory}' does not exist.");
        }

        StaleTemporaries.Remove(full);
        string temp = Path.Combine(directory, TemporaryName(Path.GetFileName(full)));
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920))
            {
                var wrapper = StreamWrapperForTests;
                if (wrapper is null)
                {
                    write(file);
                }
                else
                {
                    using var wrapped = wrapper(file);
                    write(wrapped);
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the temporary file is hidden and named uniquely.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }

            throw;
        }
    }

    /// <summary>A fresh temporary file name for the target file name <paramref name="fileName"/>.</summary>
    public static string TemporaryName(string fileName) => $".{TemporaryStem(fileName)}{TemporaryMarker}{Guid.NewGuid():N}";

    /// <summary>
    /// The part of <paramref name="fileName"/> a temporary name repeats: all of it, or — when the target's name is so
    /// long that the dot, marker and 32 hex digits would pass the 255-byte limit of a file name — its longest prefix
    /// that fits (a legal 250-byte name used to fail with an error about the temporary file).
    /// </summary>
    public static string TemporaryStem(string fileName)
    {
        const int MaxStemBytes = 255 - 1 - 16 - 32; // ".", TemporaryMarker, 32 hex digits
        if (System.Text.Encoding.UTF8.GetByteCount(fileName) <= MaxStemBytes)
        {
            return fileName;
        }

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
}
