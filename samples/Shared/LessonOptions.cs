using System.Globalization;

namespace KerasNotes.Samples;

/// <summary>
/// The command line every lesson sample shares: <c>--quick</c> (a smaller run for CI smoke tests, under 20 s),
/// <c>--out DIR</c> (where the PNGs go; <c>out/</c> by default) and <c>--epochs N</c> (overrides the lesson's default).
/// </summary>
internal sealed class LessonOptions
{
    private LessonOptions(bool quick, string outDir, int? epochs)
    {
        Quick = quick;
        OutDir = outDir;
        Epochs = epochs;
    }

    /// <summary>True for the short CI run: less data and fewer epochs, the same plots.</summary>
    public bool Quick { get; }

    /// <summary>The folder the lesson writes its pictures to (created by <see cref="Parse"/>).</summary>
    public string OutDir { get; }

    /// <summary>The epoch count given on the command line, if any.</summary>
    public int? Epochs { get; }

    /// <summary>The epoch count to use: the command line's, else the lesson's default for a full or a quick run.</summary>
    public int EpochsOr(int full, int quick) => Epochs ?? (Quick ? quick : full);

    /// <summary>A path inside <see cref="OutDir"/>.</summary>
    public string OutPath(string fileName) => Path.Combine(OutDir, fileName);

    /// <summary>
    /// Parses the arguments; prints what is wrong and the usage, and returns null, when they are wrong. Also makes the
    /// invariant culture current, so every lesson prints 0.8383, never 0,8383, whatever the machine's locale.
    /// </summary>
    public static LessonOptions? Parse(string[] args, string sampleName)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string usage = $"Usage: {sampleName} [--quick] [--out DIR] [--epochs N]";
        bool quick = false;
        string outDir = "out";
        int? epochs = null;
        for (int i = 0; i < args.Length; i++)
        {
            // A value may not be missing or be the next option ("--out --quick" must not make a folder "--quick").
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null;
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when value is { Length: > 0 }:
                    outDir = value;
                    i++;
                    break;
                case "--epochs" when value is not null:
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) || e <= 0)
                    {
                        return Fail($"--epochs needs a positive whole number, got '{value}'.", usage);
                    }

                    epochs = e;
                    i++;
                    break;
                case "--out" or "--epochs":
                    return Fail($"{args[i]} needs a value.", usage);
                default:
                    return Fail($"Unknown argument '{args[i]}'.", usage);
            }
        }

        try
        {
            Directory.CreateDirectory(outDir);
            string full = Path.GetFullPath(outDir);
            // Fail now, with the folder's name, rather than after minutes of training when the first picture is written.
            string probe = Path.Combine(full, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return new LessonOptions(quick, full, epochs);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail($"--out '{outDir}' is not a folder the pictures can be written to: {ex.Message}", usage);
        }
    }

    private static LessonOptions? Fail(string message, string usage)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(usage);
        return null;
    }
}
