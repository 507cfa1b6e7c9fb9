using KerasNotes.Initializers;
using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Tests.TestSupport;

/// <summary>Small deterministic models and data for training-loop tests.</summary>
internal static class TestModels
{
    /// <summary>A 3-class problem: 60 samples × 4 features with labels from a fixed linear rule.</summary>
    public static (Tensor X, int[] Labels) Classification(int samples = 60, int seed = 5)
    {
        var x = GradientCheck.Random(seed, -1f, 1f, samples, 4);
        var v = x.ToArray();
        var labels = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            float s0 = v[i * 4] + v[(i * 4) + 1], s1 = v[(i * 4) + 2] - v[(i * 4) + 3];
            labels[i] = s0 > 0.3f ? 0 : s1 > 0 ? 1 : 2;
        }

        return (x, labels);
    }

    /// <summary>Dense(8, relu) → Dense(3, softmax) with seeded initializers.</summary>
    public static Sequential Classifier(int seed = 1, bool batchNorm = false, bool dropout = false)
    {
        var model = new Sequential(new Input(4));
        model.Add(new Dense(8, activation: "relu", kernelInitializer: new GlorotUniform(seed)));
        if (batchNorm)
        {
            model.Add(new BatchNormalization());
        }

        if (dropout)
        {
            model.Add(new Dropout(0.25, seed: seed));
        }

        model.Add(new Dense(3, activation: "softmax", kernelInitializer: new GlorotUniform(seed + 1)));
        return model;
    }

    /// <summary>A regression model Dense(6, tanh) → Dense(1).</summary>
    public static Sequential Regressor(int seed = 1) => new(
        new Input(4),
        new Dense(6, activation: "tanh", kernelInitializer: new GlorotUniform(seed)),
        new Dense(1, kernelInitializer: new GlorotUniform(seed + 1)));

    public static Tensor RegressionTargets(Tensor x)
    {
        var v = x.ToArray();
        int n = x.Shape[0];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (0.5f * v[i * 4]) - v[(i * 4) + 1] + (0.25f * v[(i * 4) + 2] * v[(i * 4) + 3]);
        }

        return Tensor.FromArray(y, n, 1);
    }
}
