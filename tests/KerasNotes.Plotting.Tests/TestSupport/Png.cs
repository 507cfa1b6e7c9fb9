using SkiaSharp;

namespace KerasNotes.Plotting.Tests.TestSupport;

/// <summary>A decoded PNG file and the pixel counts the tests reason with.</summary>
public sealed class Png
{
    private static readonly byte[] s_signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly SKColor[] _pixels;

    private Png(int width, int height, SKColor[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Reads <paramref name="path"/>, which must start with the PNG signature.</summary>
    public static Png Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes.AsSpan(0, s_signature.Length).SequenceEqual(s_signature).Should().BeTrue($"{path} must be a PNG file");
        using var bitmap = SKBitmap.Decode(bytes);
        bitmap.Should().NotBeNull();
        return new Png(bitmap.Width, bitmap.Height, bitmap.Pixels);
    }

    public SKColor this[int x, int y] => _pixels[(y * Width) + x];

    /// <summary>Pixels in the rectangle that are dark (text and axes are black or dark grey).</summary>
    public int DarkPixels(int left, int top, int right, int bottom) =>
        Count(left, top, right, bottom, c => c.Red < 110 && c.Green < 110 && c.Blue < 110);

    /// <summary>Pixels of the whole image that are not white.</summary>
    public int NonWhitePixels() => Count(0, 0, Width, Height, c => c.Red < 250 || c.Green < 250 || c.Blue < 250);

    /// <summary>Pixels in the rectangle that differ from the same pixel of <paramref name="other"/>.</summary>
    public int Differences(Png other, int left, int top, int right, int bottom)
    {
        int n = 0;
        for (int y = top; y < bottom; y++)
        {
            for (int x = left; x < right; x++)
            {
                n += this[x, y] == other[x, y] ? 0 : 1;
            }
        }

        return n;
    }

    /// <summary>Pixels of the rectangle for which <paramref name="match"/> holds.</summary>
    public int Count(int left, int top, int right, int bottom, Func<SKColor, bool> match)
    {
        int n = 0;
        for (int y = top; y < bottom; y++)
        {
            for (int x = left; x < right; x++)
            {
                n += match(this[x, y]) ? 1 : 0;
            }
        }

        return n;
    }
}
