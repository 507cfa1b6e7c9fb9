using Microsoft.Win32.SafeHandles;

namespace KerasNotes.Saving.Files;

/// <summary>
/// Reads files whose path comes from a user or from a model file without trusting what sits at that path: only
/// regular files are opened (a FIFO would block the open or the read forever, a device such as
/// <c>/dev/zero</c> never ends), files named by a model must resolve — through every symbolic link — to a place
/// inside the model's folder, and sizes are taken from the file actually opened, never from a link.
/// </summary>
/// <remarks>
/// On Linux the type checks use <c>statx</c> and the open uses <c>O_NONBLOCK</c>, and the opened handle is
/// checked again, so a file swapped for a FIFO between the check and the open is still refused. Elsewhere the
/// checks are the managed ones (directories and links; no FIFO detection).
/// </remarks>
internal static class UntrustedFile
{
    /// <summary>A file checked by <see cref="ResolveInside"/>: where it really is, its real length, and the resolved folder it must stay in.</summary>
    public readonly record struct Resolved(string Path, long Length, string Folder);

    /// <summary>
    /// Reads the whole file at <paramref name="path"/> (the user's own choice, so links may point anywhere).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">It is not a regular file, or is larger than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAll(string path, long maxBytes, LoadContext context)
    {
        if (!UnixFileFacts.IsAvailable)
        {
            return ReadAllManaged(path, maxBytes, context);
        }

        var facts = UnixFileFacts.Describe(path, followLinks: true);
        if (facts is null || facts.Value.Kind == UnixFileFacts.Kind.Directory)
        {
            throw new FileNotFoundException($"No model file at '{path}'.", path);
        }

        if (facts.Value.Kind != UnixFileFacts.Kind.Regular)
        {
            throw context.Fail(null, "not a regular file (a FIFO, device or socket); only regular files are read.");
        }

        CheckLength(facts.Value.Length, maxBytes, context);
        var data = new byte[facts.Value.Length];
        ReadExactly(path, followLinks: true, data, message => context.Fail(null, message));
        return data;
    }

    /// <summary>
    /// Checks that <paramref name="name"/> (a plain file name read from a model file) names, after every symbolic
    /// link is followed, a regular file inside <paramref name="folder"/>.
    /// </summary>
    /// <param name="folder">The model's folder.</param>
    /// <param name="name">The file name the model file gives.</param>
    /// <param name="fail">Makes the exception for a refusal, from the reason.</param>
    public static Resolved ResolveInside(string folder, string name, Func<string, ModelFormatException> fail)
    {
        string candidate = System.IO.Path.Combine(folder, name);
        return UnixFileFacts.IsAvailable ? ResolveInsideUnix(folder, candidate, fail) : ResolveInsideManaged(folder, candidate, fail);
    }

    /// <summary>Fills <paramref name="destination"/> from the start of a file checked by <see cref="ResolveInside"/>, which must still hold exactly that many bytes.</summary>
    public static void ReadExactly(Resolved file, Span<byte> destination, Func<string, ModelFormatException> fail) =>
        ReadExactly(file.Path, followLinks: false, destination, fail, file.Folder);

    private static void ReadExactly(string path, bool followLinks, Span<byte> destination, Func<string, ModelFormatException> fail, string? mustStayIn = null)
    {
        using var handle = OpenRegular(path, followLinks, fail);
        if (mustStayIn is not null && UnixFileFacts.IsAvailable)
        {
            // The check before the open resolved every link, but a folder on the way may have been swapped for a
            // link since (O_NOFOLLOW guards only the last component). Where the opened file really is, the kernel
            // knows: ask it about the handle itself, which no later swap can change.
            string opened = UnixFileFacts.OpenedPath(handle) ?? throw fail($"'{path}' was opened, but where it lies cannot be confirmed.");
            CheckInside(opened, mustStayIn, path, fail);
        }

        long length = RandomAccess.GetLength(handle);
        if (UnixFileFacts.IsAvailable && UnixFileFacts.Describe(handle) is not { Kind: UnixFileFacts.Kind.Regular })
        {
            throw fail($"'{path}' is not a regular file any more (it was replaced while being loaded).");
        }

        if (length != destination.Length)
        {
            throw fail($"'{path}' holds {length} bytes now, not the {destination.Length} it held when checked (it changed while being loaded).");
        }

        int at = 0;
        while (at < destination.Length)
        {
            int read = RandomAccess.Read(handle, destination[at..], at);
            if (read <= 0)
            {
                throw fail($"'{path}' ended after {at} of its {destination.Length} bytes (it changed while being loaded).");
            }

            at += read;
        }
    }

    private static SafeFileHandle OpenRegular(string path, bool followLinks, Func<string, ModelFormatException> fail)
    {
        if (UnixFileFacts.IsAvailable)
        {
            return UnixFileFacts.OpenForReading(path, followLinks) ?? throw fail($"'{path}' cannot be opened for reading (or was replaced by a link).");
        }

        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw fail($"'{path}' cannot be opened for reading: {e.Message}");
        }
    }

    private static Resolved ResolveInsideUnix(string folder, string candidate, Func<string, ModelFormatException> fail)
    {
        if (UnixFileFacts.Describe(candidate, followLinks: false) is null)
        {
            throw fail($"the file '{candidate}' does not exist.");
        }

        // realpath resolves every link of every component (a link into a linked subfolder included), which
        // following the last component alone would miss; a loop or a dangling link does not resolve at all.
        string real = UnixFileFacts.RealPath(candidate)
            ?? throw fail($"'{candidate}' is a symbolic link that does not resolve (dangling, or a loop).");
        string realFolder = UnixFileFacts.RealPath(folder) ?? throw fail($"the model's folder '{folder}' does not resolve.");
        CheckInside(real, realFolder, candidate, fail);
        var facts = UnixFileFacts.Describe(real, followLinks: false);
        return facts switch
        {
            { Kind: UnixFileFacts.Kind.Regular } f => new Resolved(real, f.Length, realFolder),
            { Kind: UnixFileFacts.Kind.Directory } => throw fail($"'{candidate}' is a folder, not a regular file."),
            null => throw fail($"the file '{candidate}' does not exist."),
            _ => throw fail($"'{candidate}' is not a regular file (a FIFO, device or socket); only regular files are read."),
        };
    }

    private static Resolved ResolveInsideManaged(string folder, string candidate, Func<string, ModelFormatException> fail)
    {
        FileSystemInfo target;
        try
        {
            var link = new FileInfo(candidate);
            target = link.LinkTarget is null ? link : link.ResolveLinkTarget(returnFinalTarget: true) ?? link;
        }
        catch (IOException e)
        {
            throw fail($"'{candidate}' is a symbolic link that does not resolve: {e.Message}");
        }

        string real = System.IO.Path.GetFullPath(target.FullName);
        string realFolder = System.IO.Path.GetFullPath(folder);
        CheckInside(real, realFolder, candidate, fail);
        target.Refresh();
        if (Directory.Exists(real))
        {
            throw fail($"'{candidate}' is a folder, not a regular file.");
        }

        if (!target.Exists)
        {
            throw fail($"the file '{candidate}' does not exist.");
        }

        return new Resolved(real, new FileInfo(real).Length, realFolder);
    }

    private static void CheckInside(string real, string realFolder, string candidate, Func<string, ModelFormatException> fail)
    {
        string prefix = realFolder.EndsWith(System.IO.Path.DirectorySeparatorChar) ? realFolder : realFolder + System.IO.Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!real.StartsWith(prefix, comparison))
        {
            throw fail($"'{candidate}' leads to '{real}', outside the model's folder '{realFolder}'; weight files must be inside it.");
        }
    }

    private static byte[] ReadAllManaged(string path, long maxBytes, LoadContext context)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"No model file at '{path}'.", path);
        }

        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
        {
            info = target;
        }

        CheckLength(info.Length, maxBytes, context);
        var data = new byte[info.Length];
        ReadExactly(path, followLinks: true, data, message => context.Fail(null, message));
        return data;
    }

    private static void CheckLength(long length, long maxBytes, LoadContext context)
    {
        if (length > maxBytes)
        {
            throw context.Fail(null, $"the file is {length} bytes, beyond the supported {maxBytes}.");
        }
    }
}
