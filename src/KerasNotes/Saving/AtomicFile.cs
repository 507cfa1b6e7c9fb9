namespace KerasNotes.Saving;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a mix: the bytes
/// go to a temporary file in the same folder, are flushed to disk, and the temporary file is then renamed over
/// the target. If anything fails midway the temporary file is removed and the previous file is untouched.
/// </summary>
internal static class AtomicFile
{
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

        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
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
}
