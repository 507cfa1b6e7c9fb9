namespace KerasNotes.Tests.Vision;

/// <summary>
/// Plain, slow float64 transcriptions of the feature definitions (one pixel at a time, arctangent and all), against
/// which the vectorised kernels are checked on image sizes the fixture does not cover.
/// </summary>
internal static class ReferenceFeatures
{
    public static double[] Histogram(float[] image, int bins, double min, double max)
    {
        var counts = new double[bins];
        foreach (float v in image)
        {
            if (v >= min && v < max)
            {
                counts[Math.Min(bins - 1, (int)Math.Floor((v - min) * bins / (max - min)))]++;
            }
        }

        return counts;
    }

    /// <summary>3×3 correlation with BORDER_REFLECT_101; <paramref name="dx"/> selects the x or y kernel.</summary>
    public static double[] Sobel(float[] image, int h, int w, bool dx)
    {
        double[,] kx = { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } };
        double[,] ky = { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } };
        var k = dx ? kx : ky;
        var output = new double[h * w];
        for (int r = 0; r < h; r++)
        {
            for (int c = 0; c < w; c++)
            {
                double sum = 0;
                for (int i = -1; i <= 1; i++)
                {
                    for (int j = -1; j <= 1; j++)
                    {
                        sum += k[i + 1, j + 1] * image[(Reflect(r + i, h) * w) + Reflect(c + j, w)];
                    }
                }

                output[(r * w) + c] = sum;
            }
        }

        return output;
    }

    private static int Reflect(int i, int n) => n == 1 ? 0 : i < 0 ? -i : i >= n ? (2 * n) - i - 2 : i;

    public static double[] Hog(float[] image, int h, int w, int o, int p, int b, string norm)
    {
        int cellRows = h / p, cellCols = w / p;
        var cells = new double[cellRows, cellCols, o];
        for (int r = 0; r < cellRows * p; r++)
        {
            for (int c = 0; c < cellCols * p; c++)
            {
                double gRow = r == 0 || r == h - 1 ? 0 : image[((r + 1) * w) + c] - (double)image[((r - 1) * w) + c];
                double gCol = c == 0 || c == w - 1 ? 0 : image[(r * w) + c + 1] - (double)image[(r * w) + c - 1];
                double degrees = Math.Atan2(gRow, gCol) * 180 / Math.PI;
                double theta = degrees < 0 ? degrees + 180 : degrees >= 180 ? degrees - 180 : degrees;
                int bin = Math.Min(o - 1, (int)Math.Floor(theta / (180.0 / o)));
                cells[r / p, c / p, bin] += Math.Sqrt((gRow * gRow) + (gCol * gCol));
            }
        }

        var features = new List<double>();
        for (int br = 0; br + b <= cellRows; br++)
        {
            for (int bc = 0; bc + b <= cellCols; bc++)
            {
                var v = new List<double>();
                for (int i = 0; i < b; i++)
                {
                    for (int j = 0; j < b; j++)
                    {
                        for (int k = 0; k < o; k++)
                        {
                            v.Add(cells[br + i, bc + j, k] / (p * p));
                        }
                    }
                }

                features.AddRange(Normalize(v.ToArray(), norm));
            }
        }

        return features.ToArray();
    }

    private static double[] Normalize(double[] v, string norm)
    {
        const double Eps = 1e-5;
        double l1 = v.Sum(Math.Abs);
        double[] L2(double[] x) => x.Select(e => e / Math.Sqrt(x.Sum(y => y * y) + (Eps * Eps))).ToArray();
        return norm switch
        {
            "L1" => v.Select(e => e / (l1 + Eps)).ToArray(),
            "L1-sqrt" => v.Select(e => Math.Sqrt(e / (l1 + Eps))).ToArray(),
            "L2" => L2(v),
            "L2-Hys" => L2(L2(v).Select(e => Math.Min(e, 0.2)).ToArray()),
            _ => throw new ArgumentException(norm, nameof(norm)),
        };
    }
}
