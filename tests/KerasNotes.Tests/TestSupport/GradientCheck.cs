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
    /// <param name="reference">
    /// When given, the finite differences are taken of this function instead of <paramref name="f"/> (for a fused op whose
    /// gradient must match the chain of ops it replaces); it must compute the same values as <paramref name="f"/>.
    /// </param>
    public static void Check(
        Func<Tensor[], Tensor> f, Tensor[] inputs, double step = 1e-2, double abs = 2e-3, double rel = 2e-2, string what = "f",
        Func<Tensor[], Tensor>? reference = null)
    {
        var variables = inputs.Select((t, i) => new Variable(t, $"x{i}")).ToArray();
        Tensor? weighting = null;
        Func<Tensor[], Tensor> Scalar(Func<Tensor[], Tensor> g) => xs => ToScalar(g(xs), ref weighting);

        Tensor[] analytic;
        using (var tape = new GradientTape())
        {
            var loss = Scalar(f)(variables.Select(v => v.Value).ToArray());
            analytic = tape.Gradient(loss, variables);
        }

        var numericFn = Scalar(reference ?? f);
        for (int i = 0; i < variables.Length; i++)
        {
            analytic[i].Shape.Should().Be(inputs[i].Shape, $"{what}: the gradient of x{i} has the shape of x{i}");
            var values = inputs[i].ToArray();
            var grad = analytic[i].ToArray();
            for (int k = 0; k < values.Length; k++)
            {
                double numeric = Numeric(numericFn, inputs, i, k, step);
                Compare(what, i, k, grad[k], numeric, values[k], abs, rel);
            }
        }
    }

    // A scalar to differentiate: the output itself, or its sum weighted by fixed random weights (drawn once per
    // check) so that every output element's gradient is exercised with a different factor.
    private static Tensor ToScalar(Tensor y, ref Tensor? weighting)
    {
        if (y.Size == 1)
        {
            return y.Rank == 0 ? y : Ops.Sum(y);
        }

        weighting ??= RandomWeights(y.Shape);
        return Ops.Sum(Ops.Multiply(y, weighting));
    }

    /// <summary>
    /// Checks the gradients of <paramref name="f"/> (which reads the variables itself, e.g. a layer's weights and an input
    /// variable) with respect to each variable, perturbing the variables in place for the finite differences.
    /// </summary>
    public static void CheckVariables(
        Func<Tensor> f, IReadOnlyList<Variable> variables, double step = 1e-2, double abs = 2e-3, double rel = 2e-2, string what = "f")
    {
        Tensor? weighting = null;
        Tensor Scalar() => ToScalar(f(), ref weighting);

        Tensor[] analytic;
        using (var tape = new GradientTape())
        {
            analytic = tape.Gradient(Scalar(), variables);
        }

        for (int i = 0; i < variables.Count; i++)
        {
            var variable = variables[i];
            var original = variable.ToArray();
            var grad = analytic[i].ToArray();
            grad.Length.Should().Be(original.Length, $"{what}: the gradient of {variable.Name} has one entry per element");
            for (int k = 0; k < original.Length; k++)
            {
                double Eval(double delta)
                {
                    var shifted = (float[])original.Clone();
                    shifted[k] = (float)(shifted[k] + delta);
                    variable.Assign(Tensor.FromSpan(shifted, variable.Shape));
                    return Scalar().Item();
                }

                double numeric;
                try
                {
                    numeric = Richardson(Eval, step);
                }
                finally
                {
                    variable.Assign(Tensor.FromSpan(original, variable.Shape));
                }

                Compare($"{what} ({variable.Name})", i, k, grad[k], numeric, original[k], abs, rel);
            }
        }
    }

    /// <summary>
    /// Checks a layer's gradients with respect to its input and every trainable weight (the layer is built first).
    /// </summary>
    public static void CheckLayer(KerasNotes.Layers.Layer layer, Tensor x, bool training, double step = 2e-3, double abs = 2e-3, double rel = 2e-2, string what = "layer")
    {
        layer.Apply(x, training: false);
        var input = new Variable(x, "input");
        var sources = new List<Variable> { input };
        sources.AddRange(layer.TrainableWeights);
        CheckVariables(() => layer.Apply(input, training), sources, step, abs, rel, what);
    }

    private static void Compare(string what, int input, int k, double got, double numeric, float x, double abs, double rel)
    {
        if (!(Math.Abs(got - numeric) <= abs + (rel * Math.Abs(numeric))))
        {
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: d/dx{input}[{k}] analytic {got:R} vs finite difference {numeric:R} (x = {x:R})."));
        }
    }

    private static double Numeric(Func<Tensor[], Tensor> scalar, Tensor[] inputs, int which, int k, double step)
    {
        double Eval(double delta)
        {
            var shifted = inputs.Select(t => t.ToArray()).ToArray();
            shifted[which][k] = (float)(shifted[which][k] + delta);
            var tensors = shifted.Select((a, i) => Tensor.FromSpan(a, inputs[i].Shape)).ToArray();
            return scalar(tensors).Item();
        }

        return Richardson(Eval, step);
    }

    // Richardson-extrapolated central difference: accurate enough at float32 resolution.
    private static double Richardson(Func<double, double> eval, double step)
    {
        double d1 = (eval(step) - eval(-step)) / (2 * step);
        double d2 = (eval(step / 2) - eval(-step / 2)) / step;
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

        return Tensor.FromSpan(values, shape);
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

        return Tensor.FromSpan(values, new Shape(shape));
    }

    /// <summary>
    /// A reproducible random tensor with values in [lo, hi) that keeps at least <paramref name="margin"/> away from every
    /// kink, so finite differences never straddle one.
    /// </summary>
    public static Tensor AwayFrom(int seed, float lo, float hi, float[] kinks, float margin, params int[] shape)
    {
        var rng = new System.Random(seed);
        var values = new float[new Shape(shape).Size];
        for (int i = 0; i < values.Length; i++)
        {
            float v;
            do
            {
                v = (float)(lo + (rng.NextDouble() * (hi - lo)));
            }
            while (kinks.Any(k => Math.Abs(v - k) < margin));

            values[i] = v;
        }

        return Tensor.FromSpan(values, new Shape(shape));
    }

    /// <summary>
    /// A reproducible tensor whose values are all distinct and at least <paramref name="spacing"/> apart (a shuffled grid
    /// centred on 0), so a max or min has no ties and keeps its winner under finite differences.
    /// </summary>
    public static Tensor Distinct(int seed, float spacing, params int[] shape)
    {
        var rng = new System.Random(seed);
        int n = new Shape(shape).Size;
        var order = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = (order[i] - (n / 2f)) * spacing;
        }

        return Tensor.FromSpan(values, new Shape(shape));
    }
}
