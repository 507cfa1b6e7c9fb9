namespace KerasNotes.Data;

/// <summary>
/// The Fashion-MNIST data set (Zalando, MIT licence): 60,000 training and 10,000 test images of 28×28
/// grey pixels in 10 clothing classes (Keras <c>keras.datasets.fashion_mnist.load_data</c>).
/// </summary>
/// <remarks>
/// The files ship in the repository under <c>data/fashion-mnist/</c>; <see cref="Load"/> finds that
/// folder by walking up from the running program, or takes an explicit path. Pixels are returned as
/// floats 0…255 (divide by 255 as Keras examples do) with shape (N, 28, 28); labels as class indices.
/// </remarks>
public static class FashionMnist
{
    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the training and test sets.</summary>
    /// <param name="directory">The folder with the four IDX files (gzip or raw); null searches for <c>data/fashion-mnist</c>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder was not given and could not be found.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or the images and labels disagree.</exception>
    public static ((Tensor X, int[] Y) Train, (Tensor X, int[] Y) Test) Load(string? directory = null)
    {
        directory ??= FindDataDirectory("fashion-mnist");
        var train = LoadPair(directory, "train");
        var test = LoadPair(directory, "t10k");
        return (train, test);
    }

    /// <summary>
    /// Loads the raw 8-bit images (60,000 × 784 and 10,000 × 784 bytes) and labels, for an <see cref="ImageSequence"/>
    /// that scales batches on the fly instead of holding float copies.
    /// </summary>
    public static ((byte[] Pixels, int[] Y) Train, (byte[] Pixels, int[] Y) Test) LoadBytes(string? directory = null)
    {
        directory ??= FindDataDirectory("fashion-mnist");
        return (LoadRaw(directory, "train"), LoadRaw(directory, "t10k"));
    }

    private static (byte[] Pixels, int[] Y) LoadRaw(string directory, string prefix)
    {
        var (imageDims, pixels) = Idx.Read(Resolve(directory, $"{prefix}-images-idx3-ubyte"));
        var (labelDims, labels) = Idx.Read(Resolve(directory, $"{prefix}-labels-idx1-ubyte"));
        if (imageDims.Length != 3 || imageDims[1] != 28 || imageDims[2] != 28 || labelDims.Length != 1 || imageDims[0] != labelDims[0])
        {
            throw new InvalidDataException(
                $"Fashion-MNIST '{prefix}': images [{string.Join(", ", imageDims)}] and labels [{string.Join(", ", labelDims)}] are not N×28×28 images with N labels.");
        }

        var y = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            y[i] = labels[i];
        }

        return (pixels, y);
    }

    private static (Tensor X, int[] Y) LoadPair(string directory, string prefix)
    {
        var (pixels, y) = LoadRaw(directory, prefix);
        var x = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            x[i] = pixels[i];
        }

        return (Tensor.FromArray(x, y.Length, 28, 28), y);
    }

    private static string Resolve(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"Fashion-MNIST file '{name}(.gz)' is not in '{directory}'.", Path.Combine(directory, name));
    }

    /// <summary>Finds <c>data/{name}</c> in the current or an enclosing folder of the program or the working directory.</summary>
    internal static string FindDataDirectory(string name)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", name);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"Could not find 'data/{name}' above '{AppContext.BaseDirectory}' or '{Directory.GetCurrentDirectory()}'; pass the folder explicitly.");
    }
}
