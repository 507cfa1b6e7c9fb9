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

    /// <summary>Parses the arguments; prints the usage and returns null when they are wrong.</summary>
    public static LessonOptions? Parse(string[] args, string sampleName)
    {
        bool quick = false;
        string outDir = "out";
        int? epochs = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    outDir = args[++i];
                    break;
                case "--epochs" when i + 1 < args.Length
                    && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0:
                    epochs = e;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: {sampleName} [--quick] [--out DIR] [--epochs N]");
                    return null;
            }
        }

        Directory.CreateDirectory(outDir);
        return new LessonOptions(quick, Path.GetFullPath(outDir), epochs);
    }
}
