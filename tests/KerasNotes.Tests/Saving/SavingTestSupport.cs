using System.Text.Json.Nodes;
using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Tests.TestSupport;

namespace KerasNotes.Tests.Saving;

/// <summary>Shared helpers for the saving tests: temp folders, fixture paths and small models.</summary>
internal static class SavingTestSupport
{
    public static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>
    /// The shared real-Keras folder (<c>shared/fixtures/real_keras</c> next to the repository), found by walking up
    /// from the test binaries; null when it is not there (the tests that need it then skip and say why).
    /// </summary>
    public static string? SharedRealKerasFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures", "real_keras");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A real-Keras file: the copy in Fixtures/real_keras when licensed for copying, else the shared one.</summary>
    public static string? RealKerasFile(string name)
    {
        string copied = FixturePath("real_keras", name);
        if (File.Exists(copied))
        {
            return copied;
        }

        string? shared = SharedRealKerasFolder();
        return shared is null ? null : Path.Combine(shared, name);
    }

    public static JsonObject RealKerasCase(string file) =>
        Fixture.Load("real_keras/real_keras.json")["cases"]!.AsArray().First(c => c!["file"]!.GetValue<string>() == file)!.AsObject();

    public static TempFolder Temp() => new();

    /// <summary>A small compiled model with every built-in layer that has weights or state.</summary>
    public static Sequential SmallModel(bool dropout = true, string optimizer = "adam")
    {
        var layers = new List<Layer> { new Input(4), new Dense(8, activation: "relu"), new BatchNormalization() };
        if (dropout)
        {
            layers.Add(new Dropout(0.3));
        }

        layers.Add(new Dense(3, activation: "softmax"));
        var model = new Sequential([.. layers]);
        model.Compile(optimizer: optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    public static (Tensor X, Tensor Y) SmallData(int n = 64, int seed = 7)
    {
        var rng = new System.Random(seed);
        var x = new float[n * 4];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            float s = 0;
            for (int j = 0; j < 4; j++)
            {
                x[(i * 4) + j] = (float)((rng.NextDouble() * 2) - 1);
                s += x[(i * 4) + j] * (j + 1);
            }

            y[i] = s > 1 ? 2 : s > -1 ? 1 : 0;
        }

        return (Tensor.FromArray(x, n, 4), Tensor.FromArray(y, n));
    }

    /// <summary>
    /// A small compiled CNN with every convolution-era layer that a file can hold: Conv2D (strided, same padding),
    /// BatchNormalization on images, MaxPooling2D, Conv2D with a 2×3 kernel, AveragePooling2D (same), Reshape,
    /// GlobalAveragePooling2D (keepdims), Flatten, Dropout and Dense. Inputs [n, 10, 10, 2]; three classes.
    /// </summary>
    public static Sequential CnnModel(string optimizer = "adam")
    {
        var model = new Sequential(
            new Input(10, 10, 2),
            new Conv2D(4, 3, strides: 2, padding: "same", activation: "relu"), // [5, 5, 4]
            new BatchNormalization(),
            new MaxPooling2D(2, strides: 1),                                  // [4, 4, 4]
            new Conv2D(6, (2, 3), activation: "relu"),                        // [3, 2, 6]
            new AveragePooling2D(2, padding: "same"),                         // [2, 1, 6]
            new Reshape(1, 2, 6),                                             // [1, 2, 6]
            new GlobalAveragePooling2D(keepDims: true),                       // [1, 1, 6]
            new Flatten(),                                                    // [6]
            new Dropout(0.25),
            new Dense(3, activation: "softmax"));
        model.Compile(optimizer: optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>Random images [n, 10, 10, 2] in [-1, 1) and labels 0..2 that depend on them.</summary>
    public static (Tensor X, Tensor Y) CnnData(int n = 24, int seed = 11)
    {
        var rng = new System.Random(seed);
        const int Size = 10 * 10 * 2;
        var x = new float[n * Size];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            float s = 0;
            for (int j = 0; j < Size; j++)
            {
                x[(i * Size) + j] = (float)((rng.NextDouble() * 2) - 1);
                s += j % 3 == 0 ? x[(i * Size) + j] : 0;
            }

            y[i] = s > 2 ? 2 : s > -2 ? 1 : 0;
        }

        return (Tensor.FromArray(x, n, 10, 10, 2), Tensor.FromArray(y, n));
    }

    /// <summary>The CNN of <see cref="CnnModel"/> fitted for one epoch on <see cref="CnnData"/>.</summary>
    public static Sequential TrainedCnn()
    {
        var model = CnnModel();
        var (x, y) = CnnData();
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        return model;
    }

    /// <summary>
    /// A small compiled functional model with every graph feature a file can hold: a layer shared by two calls, a nested
    /// Sequential, a nested functional model called twice, Add and Concatenate, BatchNormalization and Dropout.
    /// Inputs [n, 4]; three classes (the data of <see cref="SmallData"/>).
    /// </summary>
    public static Model FunctionalModel(string optimizer = "adam")
    {
        var x = Keras.Input(shape: [4], name: "fz_in");
        var shared = new Dense(4, activation: "relu", name: "fz_shared");
        var seq = new Sequential([new Input(4), new Dense(6, name: "fz_seq_dense"), new BatchNormalization(name: "fz_seq_bn")], name: "fz_seq");
        var innerIn = Keras.Input(shape: [6], name: "fz_inner_in");
        var inner = new Model(innerIn, new Dense(4, activation: "tanh", name: "fz_inner_dense").Apply(innerIn), name: "fz_inner");
        var h = shared.Apply(x);
        var a = inner.Apply(seq.Apply(h));
        var b = inner.Apply(seq.Apply(shared.Apply(h)));
        var joined = new Concatenate(name: "fz_concat").Apply([new Add(name: "fz_add").Apply([a, b]), h]);
        var output = new Dense(3, activation: "softmax", name: "fz_out").Apply(new Dropout(0.25, name: "fz_drop").Apply(joined));
        var model = new Model(x, output, name: "fz_functional");
        model.Compile(optimizer: optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>The model of <see cref="FunctionalModel"/> fitted for one epoch on <see cref="SmallData"/>.</summary>
    public static Model TrainedFunctional()
    {
        var model = FunctionalModel();
        var (x, y) = SmallData(16);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        return model;
    }

    public static void AssertSameWeights(Model expected, Model actual)
    {
        var a = expected.GetWeights();
        var b = actual.GetWeights();
        b.Count.Should().Be(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            b[i].Shape.Should().Be(a[i].Shape);
            TensorAssert.BitEqual(a[i].AsSpan(), b[i].AsSpan(), $"weight {i}");
        }
    }

    public static byte[] Sha(string path) => System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path));
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kerasnotes-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
