using System.IO.Compression;

namespace KerasNotes.Saving.KerasZip;

/// <summary>
/// The <c>.keras</c> zip archive (spec §27.2): <c>metadata.json</c>, <c>config.json</c> and
/// <c>model.weights.h5</c>, stored uncompressed. Reading checks every member name and size before inflating
/// anything: no <c>..</c> or absolute paths, no duplicate members, declared sizes that the archive can really
/// hold (zip bombs are refused before a byte is inflated), and members that inflate to exactly their declared size.
/// </summary>
internal static class KerasArchive
{
    public const string Metadata = "metadata.json";
    public const string Config = "config.json";
    public const string Weights = "model.weights.h5";
    public const string NpzWeights = "model.weights.npz";

    /// <summary>Largest member we inflate (a .NET byte array holds at most about 2 GiB).</summary>
    internal const long MaxMemberBytes = 0x7FFF_FFC7;

    /// <summary>
    /// The most a member may inflate to, per compressed byte. Deflate can reach about 1032:1, so a limit near that
    /// would let a 1 MB archive hold a gigabyte of JSON whitespace. Keras stores its members uncompressed, and real
    /// configs and weights compress far less than 100:1, so a member claiming more is taken for a zip bomb and
    /// refused before anything is inflated.
    /// </summary>
    internal const long MaxExpansion = 100;

    /// <summary>The largest JSON member (config.json, metadata.json) accepted: a 100,000-layer config is well below it.</summary>
    internal const long MaxJsonBytes = 256L << 20;

    private const int MaxMembers = 10_000;

    public static void Write(Stream output, string metadata, string config, byte[] weights)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, Metadata, System.Text.Encoding.UTF8.GetBytes(metadata));
        Add(zip, Config, System.Text.Encoding.UTF8.GetBytes(config));
        Add(zip, Weights, weights);
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(data);
    }

    public static bool LooksLikeZip(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K' && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));

    /// <summary>Reads the members of a .keras archive after checking them all.</summary>
    /// <returns>The bytes of <c>config.json</c>, <c>metadata.json</c> (null if absent) and <c>model.weights.h5</c> (null if absent).</returns>
    public static (byte[] Config, byte[]? Metadata, byte[]? Weights) Read(byte[] file, LoadContext context, bool needConfig)
    {
        if (!LooksLikeZip(file))
        {
            throw context.Fail(null, "not a .keras archive: the file does not start with a zip signature (wrong magic).");
        }

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(file, writable: false), ZipArchiveMode.Read);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException or OverflowException or OutOfMemoryException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException)
        {
            throw context.Fail(null, $"damaged zip archive: {e.Message}", e);
        }

        using (zip)
        {
            System.Collections.ObjectModel.ReadOnlyCollection<ZipArchiveEntry> entries;
            try
            {
                entries = zip.Entries;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException or OverflowException or OutOfMemoryException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException)
            {
                throw context.Fail(null, $"damaged zip archive: {e.Message}", e);
            }

            if (entries.Count > MaxMembers)
            {
                throw context.Fail(null, $"the archive has {entries.Count} members, more than the {MaxMembers} accepted.");
            }

            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                string name = entry.FullName;
                CheckName(name, context);
                if (!byName.TryAdd(name, entry))
                {
                    throw context.Fail(name, "the archive holds this member twice (a duplicate member is a sign of a crafted file).");
                }
            }

            foreach (var entry in entries)
            {
                CheckSize(entry, file.LongLength, context);
            }

            if (byName.ContainsKey(NpzWeights) && !byName.ContainsKey(Weights))
            {
                throw context.Fail(NpzWeights,
                    "weights in npz form are refused: numpy archives can hold pickled Python objects, which KerasNotes never loads. Save the weights as model.weights.h5.");
            }

            foreach (string json in (ReadOnlySpan<string>)[Config, Metadata])
            {
                if (byName.TryGetValue(json, out var member) && member.Length > MaxJsonBytes)
                {
                    throw context.Fail(json, $"the member declares {member.Length} bytes of JSON, more than the {MaxJsonBytes} accepted; it was not inflated.");
                }
            }

            // Only what the caller needs is inflated: loading weights alone never expands config.json.
            byte[]? config = needConfig && byName.TryGetValue(Config, out var c) ? Inflate(c, context) : null;
            if (config is null && needConfig)
            {
                throw context.Fail(Config, "the archive has no config.json.");
            }

            byte[]? metadata = byName.TryGetValue(Metadata, out var m) ? Inflate(m, context) : null;
            byte[]? weights = byName.TryGetValue(Weights, out var w) ? Inflate(w, context) : null;
            return (config ?? [], metadata, weights);
        }
    }

    private static void CheckName(string name, LoadContext context)
    {
        if (name.Length == 0 || name.Length > 1024)
        {
            throw context.Fail(name.Length == 0 ? "(empty name)" : name[..64], "a member name is empty or longer than 1024 characters.");
        }

        bool bad = name.StartsWith('/') || name.StartsWith('\\') || name.Contains('\\', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal)
            || name.Any(char.IsControl);
        foreach (var part in name.Split('/'))
        {
            bad |= part is ".." || part is ".";
        }

        if (bad)
        {
            throw context.Fail(name, "unsafe member path (absolute, drive letter, backslash, control character or a '..' segment).");
        }
    }

    private static void CheckSize(ZipArchiveEntry entry, long fileLength, LoadContext context)
    {
        long size, packed;
        try
        {
            size = entry.Length;
            packed = entry.CompressedLength;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            throw context.Fail(entry.FullName, $"damaged member header: {e.Message}", e);
        }

        if (size < 0 || packed < 0 || packed > fileLength)
        {
            throw context.Fail(entry.FullName, $"the member claims {packed} compressed bytes in a {fileLength}-byte archive.");
        }

        if (size > MaxMemberBytes || size > (packed * MaxExpansion) + 1024)
        {
            throw context.Fail(entry.FullName,
                $"the member claims to inflate from {packed} to {size} bytes, beyond what the archive can hold (a zip bomb); it was not inflated.");
        }
    }

    private static byte[] Inflate(ZipArchiveEntry entry, LoadContext context)
    {
        long declared = entry.Length;
        try
        {
            using var source = entry.Open();
            // Grow with the data actually read, never to a size taken on trust.
            using var buffer = new MemoryStream((int)Math.Min(declared, 1 << 20));
            var chunk = new byte[81920];
            long total = 0;
            int read;
            while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
            {
                total += read;
                if (total > declared)
                {
                    throw context.Fail(entry.FullName, $"the member inflates to more than its declared {declared} bytes.");
                }

                buffer.Write(chunk, 0, read);
            }

            if (total != declared)
            {
                throw context.Fail(entry.FullName, $"the member holds {total} bytes, not the {declared} its header declares (truncated).");
            }

            return buffer.ToArray();
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException or OverflowException or OutOfMemoryException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException)
        {
            throw context.Fail(entry.FullName, $"damaged member: {e.Message}", e);
        }
    }
}
