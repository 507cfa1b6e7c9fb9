using System.Globalization;
using Xunit.Sdk;

namespace KerasNotes.Tests.TestSupport;

/// <summary>
/// Finite-difference gradient checks: the tape's gradient of a scalar function is compared with central
/// differences computed in double precision around float32 inputs.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// Checks d f / d inputs[i] for every input, where f maps the inputs (as trainable variables) to a scalar;
    /// non-scalar outputs are reduced with a fixed random weighting so every output element matters.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double step = 1e-2, double abs = 2e-3, double rel = 2e-2, string what = "f")
    {
        var variables = inputs.Select((t, i) => new Variable(t, $"x{i}")).ToArray();
        Tensor? weighting = null;
        Tensor Scalar(Tensor[] xs)
        {
            var y = f(xs);
            if (y.Size == 1)
            {
                return y.Rank == 0 ? y : Ops.Sum(y);
            }

            weighting ??= RandomWeights(y.Shape);
            return Ops.Sum(Ops.Multiply(y, weighting));
        }

        Tensor[] analytic;
        using (var tape = new GradientTape())
        {
            var loss = Scalar(variables.Select(v => v.Value).ToArray());
            analytic = tape.Gradient(loss, variables);
        }

        for (int i = 0; i < variables.Length; i++)
        {
            var values = inputs[i].ToArray();
            var grad = analytic[i].ToArray();
            for (int k = 0; k < values.Length; k++)
            {
                double numeric = Numeric(Scalar, inputs, i, k, step);
                double got = grad[k];
                if (Math.Abs(got - numeric) > abs + (rel * Math.Abs(numeric)))
                {
                    throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                        $"{what}: d/dx{i}[{k}] analytic {got:R} vs finite difference {numeric:R} (x = {values[k]:R})."));
                }
            }
        }
    }

    /// <summary>
    /// Checks a layer's gradients with respect to its input and every trainable weight: the tape's values against
    /// central differences obtained by perturbing the input and the weights in place.
    /// </summary>
    public static void CheckLayer(KerasNotes.Layers.Layer layer, Tensor x, bool training, double step = 2e-3, double abs = 2e-3, double rel = 2e-2, string what = "layer")
    {
        layer.Apply(x, training: false);
        var weights = layer.TrainableWeights;
        var probe = layer.Apply(x, training: false);
        var r = RandomWeights(probe.Shape);
        var xVar = new Variable(x, "x");
        var sources = new List<Variable> { xVar };
        sources.AddRange(weights);
        Tensor[] analytic;
        using (var tape = new GradientTape())
        {
            var y = layer.Apply(xVar, training);
            analytic = tape.Gradient(Ops.Sum(Ops.Multiply(y, r)), sources);
        }

        double Loss() => Ops.Sum(Ops.Multiply(layer.Apply(xVar.Value, training), r)).Item();
        for (int s = 0; s < sources.Count; s++)
        {
            var target = sources[s];
            var grad = analytic[s].ToArray();
            for (int k = 0; k < target.Shape.Size; k++)
            {
                var values = target.ToArray();
                float original = values[k];
                double Eval(double delta)
                {
                    values[k] = (float)(original + delta);
                    target.Assign(Tensor.FromArray(values, target.Shape.Dims));
                    double l = Loss();
                    values[k] = original;
                    target.Assign(Tensor.FromArray(values, target.Shape.Dims));
                    return l;
                }

                double d1 = (Eval(step) - Eval(-step)) / (2 * step);
                double d2 = (Eval(step / 2) - Eval(-step / 2)) / step;
                double numeric = ((4 * d2) - d1) / 3;
                if (Math.Abs(grad[k] - numeric) > abs + (rel * Math.Abs(numeric)))
                {
                    throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                        $"{what}: d/d{(s == 0 ? "input" : target.Name)}[{k}] analytic {grad[k]:R} vs finite difference {numeric:R}."));
                }
            }
        }
    }

    private static double Numeric(Func<Tensor[], Tensor> scalar, Tensor[] inputs, int which, int k, double step)
    {
        double Eval(double delta)
        {
            var shifted = inputs.Select(t => t.ToArray()).ToArray();
            shifted[which][k] = (float)(shifted[which][k] + delta);
            var tensors = shifted.Select((a, i) => Tensor.FromArray(a, inputs[i].Shape.Dims)).ToArray();
            return scalar(tensors).Item();
        }

        // Richardson-extrapolated central difference: accurate enough at float32 resolution.
        double d1 = (Eval(step) - Eval(-step)) / (2 * step);
        double d2 = (Eval(step / 2) - Eval(-step / 2)) / step;
        return ((4 * d2) - d1) / 3;
    }

    private static Tensor RandomWeights(Shape shape)
    {
        var rng = new System.Random(1234);
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return Tensor.FromArray(values, shape.Dims);
    }

    /// <summary>A reproducible random tensor with values in [lo, hi).</summary>
    public static Tensor Random(int seed, float lo, float hi, params int[] shape)
    {
        var rng = new System.Random(seed);
        var values = new float[new Shape(shape).Size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(lo + (rng.NextDouble() * (hi - lo)));
        }

        return Tensor.FromArray(values, shape);
    }
}
