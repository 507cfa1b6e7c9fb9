using System.Reflection;
using System.Text;
using SkiaSharp;

namespace KerasNotes.Plotting;

/// <summary>
/// The DejaVu Sans typefaces this assembly carries as resources, loaded once and checked to draw text, so that every
/// chart has its labels whatever fonts the machine has — none, on a bare server or in a container.
/// </summary>
/// <remarks>
/// Skia on Linux (the fontconfig-free build we ship) finds fonts by scanning /usr/share/fonts; where that folder is
/// empty it falls back to an empty typeface and draws no text at all, without an error. So nothing here relies on
/// system fonts, and anything that keeps the font from drawing — a missing resource, a font Skia cannot read, a
/// native library that does not load — throws <see cref="InvalidOperationException"/> rather than let a chart be
/// written without its labels.
/// </remarks>
internal sealed class EmbeddedFont
{
    /// <summary>The family name the charts ask ScottPlot for; unlike "DejaVu Sans" no system font can answer to it.</summary>
    public const string FamilyName = "KerasNotes DejaVu Sans";

    internal const string RegularResource = "KerasNotes.Plotting.Fonts.DejaVuSans.ttf";
    internal const string BoldResource = "KerasNotes.Plotting.Fonts.DejaVuSans-Bold.ttf";

    // Every character a chart draws on its own (tick numbers, epoch labels, axis names): a font that lacks one is unusable.
    private const string Essential = "0123456789.,-+eE%() abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:";

    private static readonly Lazy<EmbeddedFont> s_instance =
        new(() => Load(typeof(EmbeddedFont).Assembly, RegularResource, BoldResource), LazyThreadSafetyMode.ExecutionAndPublication);

    private EmbeddedFont(SKTypeface regular, SKTypeface bold)
    {
        Regular = regular;
        Bold = bold;
    }

    /// <summary>The fonts of this assembly; the first use loads and checks them (and throws if they cannot draw).</summary>
    public static EmbeddedFont Instance => s_instance.Value;

    /// <summary>DejaVu Sans Book, for tick labels, axis labels, legends and captions.</summary>
    public SKTypeface Regular { get; }

    /// <summary>DejaVu Sans Bold, for titles.</summary>
    public SKTypeface Bold { get; }

    /// <summary>True if <paramref name="typeface"/> is one of these fonts.</summary>
    public bool Owns(SKTypeface? typeface) => ReferenceEquals(typeface, Regular) || ReferenceEquals(typeface, Bold);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <paramref name="argumentName"/> if <paramref name="text"/> has a
    /// character the font has no glyph for (it would be drawn as a box or not at all).
    /// </summary>
    public void RequireGlyphs(string? text, string argumentName)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // A control character (bell, NUL, tab, newline) is drawn as an empty box, and a lone surrogate makes Skia drop
        // the whole text: neither is text a chart can show, so both are refused like a missing glyph.
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool loneSurrogate = char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[++i]));
            if (char.IsControl(c) || loneSurrogate)
            {
                throw new ArgumentException(
                    $"{argumentName} has a control character or a broken surrogate (U+{(int)c:X4}) at index {i}; " +
                    "a chart label is one line of printable text.", argumentName);
            }
        }

        using var font = new SKFont(Regular);
        var missing = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsRightToLeft(rune))
            {
                // Skia draws runs in logical order without shaping: Hebrew came out reversed, Arabic reversed and unjoined.
                throw new ArgumentException(
                    $"{argumentName} '{text}' has right-to-left text ('{rune}'), which the charts cannot lay out; " +
                    "use a left-to-right script.", argumentName);
            }

            if (!Rune.IsWhiteSpace(rune) && font.GetGlyph(rune.Value) == 0)
            {
                missing.Append(rune.ToString());
            }
        }

        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"{argumentName} '{text}' has characters the embedded DejaVu Sans font cannot draw: '{missing}'. " +
                "Use Latin, Greek or Cyrillic letters, digits and common symbols.", argumentName);
        }
    }

    // Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms.
    private static bool IsRightToLeft(Rune rune) => rune.Value is (>= 0x0590 and <= 0x08FF) or (>= 0xFB1D and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF)
        or (>= 0x10800 and <= 0x10FFF) or (>= 0x1E800 and <= 0x1EFFF);

    /// <summary>Loads the two typefaces from <paramref name="assembly"/>'s resources and checks they draw text.</summary>
    internal static EmbeddedFont Load(Assembly assembly, string regularResource, string boldResource)
    {
        try
        {
            return new EmbeddedFont(LoadOne(assembly, regularResource), LoadOne(assembly, boldResource));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(
                "KerasNotes.Plotting cannot draw text: SkiaSharp's native library did not load on this platform " +
                $"({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}). Charts are never written without their labels.", e);
        }
    }

    private static SKTypeface LoadOne(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw Unusable(resource, "is not among the assembly's resources");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        using var data = SKData.CreateCopy(bytes);
        var typeface = SKTypeface.FromData(data) ?? throw Unusable(resource, "is not a font Skia can read");
        using var font = new SKFont(typeface, 12);
        foreach (char c in Essential)
        {
            if (c != ' ' && font.GetGlyph(c) == 0)
            {
                throw Unusable(resource, $"has no glyph for '{c}'");
            }
        }

        if (font.MeasureText("epoch 10") <= 0)
        {
            throw Unusable(resource, "measures text as zero pixels wide");
        }

        return typeface;
    }

    private static InvalidOperationException Unusable(string resource, string why) =>
        new($"KerasNotes.Plotting cannot draw text: the embedded font '{resource}' {why}. Charts are never written without their labels.");
}
