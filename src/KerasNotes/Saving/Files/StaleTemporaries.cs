using System.Text.RegularExpressions;

namespace KerasNotes.Saving.Files;

/// <summary>
/// Removes the temporary files that saves to one target left behind when their process was killed mid-write
/// (an ordinary failure removes its own). Only files named exactly as <see cref="AtomicFile"/> names temporaries
/// of that target are considered — <c>.&lt;name&gt;.kerasnotes-tmp-&lt;32 hex&gt;</c>, and the
/// <c>.&lt;name&gt;.&lt;32 hex&gt;.tmp</c> of earlier versions — so nothing else in the folder is ever touched.
/// </summary>
/// <remarks>
/// Another process may be saving to the same path right now, and its temporary file must survive. So a file is
/// removed only when it is both old — not written for <see cref="MinimumAge"/>, far longer than any write takes,
/// since a save serialises everything before it creates the file and then only streams it out — and not held
/// open by a writer (the writer opens it with <see cref="FileShare.None"/>, which .NET enforces with an exclusive
/// lock on Unix too). Either test alone would do in the common case; together they cover a writer on a network
/// share whose lock we cannot see, and a clock that jumped. Everything here is best effort: a temporary that cannot
/// be removed is left for the next save, and never makes this one fail.
/// </remarks>
internal static class StaleTemporaries
{
    /// <summary>How long a temporary file must have been left untouched before it counts as stale.</summary>
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(10);

    /// <summary>Removes the stale temporaries of the target <paramref name="fullPath"/>; returns how many it removed.</summary>
    public static int Remove(string fullPath)
    {
        string? directory = Path.GetDirectoryName(fullPath);
        string name = AtomicFile.TemporaryStem(Path.GetFileName(fullPath));
        if (directory is null || name.Length == 0 || !Directory.Exists(directory))
        {
            return 0;
        }

        var ours = new Regex(
            $"^\\.{Regex.Escape(name)}(?:{Regex.Escape(AtomicFile.TemporaryMarker)}[0-9a-f]{{32}}|\\.[0-9a-f]{{32}}\\.tmp)$",
            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        int removed = 0;
        try
        {
            // The wildcard only narrows the listing; the exact pattern above decides.
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles($".{name}*"))
            {
                if (ours.IsMatch(file.Name) && IsStale(file) && TryDelete(file))
                {
                    removed++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // The folder could not be listed: nothing to clean that we could see.
        }

        return removed;
    }

    private static bool IsStale(FileInfo file)
    {
        if (file.LinkTarget is not null || DateTime.UtcNow - file.LastWriteTimeUtc < MinimumAge)
        {
            return false; // a link is not something we created; a recent file may be another process's save in progress
        }

        try
        {
            using var probe = new FileStream(file.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // held open (a writer is alive) or not ours to open
        }
    }

    private static bool TryDelete(FileInfo file)
    {
        try
        {
            file.Delete();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
