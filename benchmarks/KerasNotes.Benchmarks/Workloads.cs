using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Benchmarks;

/// <summary>The workloads of the peer comparison, defined exactly as their PyTorch twins in benchmarks/peers.</summary>
public static class Workloads
{
    /// <summary>W1: Dense(hidden, relu) → BN → Dropout(0.2) → Dense(128, relu) → BN → Dropout(0.2) → Dense(10, softmax).</summary>
    public static Sequential W1Model(int hidden) => new(
        new Input(784),
        new Dense(hidden, activation: "relu"),
        new BatchNormalization(),
        new Dropout(0.2),
        new Dense(128, activation: "relu"),
        new BatchNormalization(),
        new Dropout(0.2),
        new Dense(10, activation: "softmax"));

    /// <summary>
    /// W5: Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3, relu) → MaxPooling2D(2) → Flatten → Dropout(0.5) →
    /// Dense(10, softmax) on 28×28×1 images (the Keras MNIST convnet example; the PyTorch twin is channels-first).
    /// <paramref name="filters"/> widens both convolutions (F, then 2F) for the width-scaling chart.
    /// </summary>
    public static Sequential W5Model(int filters = 32) => new(
        new Input(28, 28, 1),
        new Conv2D(filters, 3, activation: "relu"),
        new MaxPooling2D(2),
        new Conv2D(2 * filters, 3, activation: "relu"),
        new MaxPooling2D(2),
        new Flatten(),
        new Dropout(0.5),
        new Dense(10, activation: "softmax"));

    /// <summary>W2: Dense(64, relu) → BN → Dropout(0.1) → Dense(64, relu) → Dense(1).</summary>
    public static Sequential W2Model() => new(
        new Input(20),
        new Dense(64, activation: "relu"),
        new BatchNormalization(),
        new Dropout(0.1),
        new Dense(64, activation: "relu"),
        new Dense(1));

    /// <summary>
    /// W2 data, 10,000 × 20 (benchmarks/peers/README.md): SplitMix64 uniforms with seed 42, Box–Muller normals,
    /// y = Σ w_j x_j + 2 sin(2 x_0) + 0.1 ε with w_j = (−1)^j (j+1)/20, computed in double.
    /// </summary>
    public static (Tensor X, Tensor Y) W2Data()
    {
        const int N = 10_000, D = 20;
        int normalsNeeded = (N * D) + N;
        var normals = new double[normalsNeeded + 1];
        for (int p = 0; 2 * p < normalsNeeded; p++)
        {
            double u1 = Uniform(2 * p), u2 = Uniform((2 * p) + 1);
            double r = Math.Sqrt(-2 * Math.Log(1 - u1));
            double theta = 2 * Math.PI * u2;
            normals[2 * p] = r * Math.Cos(theta);
            normals[(2 * p) + 1] = r * Math.Sin(theta);
        }

        var x = new float[N * D];
        var y = new float[N];
        for (int i = 0; i < N; i++)
        {
            double sum = 0;
            for (int j = 0; j < D; j++)
            {
                double v = normals[(i * D) + j];
                x[(i * D) + j] = (float)v;
                double w = (j % 2 == 0 ? 1 : -1) * (j + 1) / 20.0;
                sum += w * v;
            }

            sum += (2 * Math.Sin(2 * normals[i * D])) + (0.1 * normals[(N * D) + i]);
            y[i] = (float)sum;
        }

        return (Tensor.FromArray(x, N, D), Tensor.FromArray(y, N, 1));
    }

    private static double Uniform(long k)
    {
        unchecked
        {
            ulong z = 42UL + ((ulong)(k + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
