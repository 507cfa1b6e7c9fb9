using ScottPlot;
using SkiaSharp;

namespace KerasNotes.Plotting;

/// <summary>
/// Answers ScottPlot's font look-ups for <see cref="EmbeddedFont.FamilyName"/> with the embedded typefaces, and
/// passes on every other name (returns null) so a program's own ScottPlot charts are left as they were.
/// </summary>
/// <remarks>
/// Most of our text carries the typeface itself (<c>LabelStyle.Font</c>); legend entries are the exception, as
/// ScottPlot builds their styles anew at each render from a font name, so that name must resolve to our font.
/// </remarks>
internal sealed class EmbeddedFontResolver(EmbeddedFont font) : IFontResolver
{
    private static readonly Lock s_gate = new();
    private static bool s_registered;

    /// <summary>Puts a resolver for the embedded font first in ScottPlot's list, once per process.</summary>
    public static void Register(EmbeddedFont font)
    {
        lock (s_gate)
        {
            if (!s_registered)
            {
                // First, so no resolver before it (the system one falls back to a default face) can claim the name.
                Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver(font));
                s_registered = true;
            }
        }
    }

    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        fontName == EmbeddedFont.FamilyName ? (weight >= FontWeight.SemiBold ? font.Bold : font.Regular) : null;

    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        CreateTypeface(fontName, bold ? FontWeight.Bold : FontWeight.Normal, FontSlant.Upright, FontSpacing.Normal);
}
