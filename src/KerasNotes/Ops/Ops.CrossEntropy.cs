using System.Numerics.Tensors;

namespace KerasNotes;

/// <summary>
/// Fused crossentropy on softmax/sigmoid outputs. The forward value is Keras's probability formula
/// (renormalise, clip to [1e-7, 1 − 1e-7] in float32, log); the backward pass goes straight to the
/// logits the probabilities came from, with the exact derivative of that formula (the clipped
/// entries contribute nothing, as the chain rule through the clip gives). One node replaces the
/// softmax, divide, clip, log, multiply and sum nodes.
/// </summary>
public static partial class Ops
{
    internal const float Epsilon = 1e-7f;
    internal const float OneMinusEpsilon = 1f - 1e-7f;

    /// <summary>Per-sample categorical crossentropy of softmax probabilities (one-hot or soft targets), differentiated via the logits.</summary>
    internal static Tensor CategoricalCrossentropyFromSoftmax(Tensor yTrue, Tensor probs)
    {
        int rows = probs.Shape[0], classes = probs.Shape[1];
        var loss = Tensor.Allocate(new Shape(rows));
        var p = probs.AsSpan();
        var y = yTrue.AsSpan();
        var l = loss.Span;
        Span<float> row = classes <= 1024 ? stackalloc float[classes] : new float[classes];
        for (int r = 0; r < rows; r++)
        {
            var pr = p.Slice(r * classes, classes);
            float sum = Kernels.Reductions.Sum(pr);
            TensorPrimitives.Divide(pr, sum, row);
            TensorPrimitives.Clamp(row, Epsilon, OneMinusEpsilon, row);
            TensorPrimitives.Log(row, row);
            TensorPrimitives.Multiply(row, y.Slice(r * classes, classes), row);
            l[r] = -Kernels.Reductions.Sum(row);
        }

        var tape = GradientTape.ShouldRecord(probs.Logits!);
        if (tape is not null)
        {
            var node = tape.Record(loss, s_categoricalSoftmaxGrad, probs.Logits!);
            node.Saved0 = probs;
            node.Saved1 = yTrue;
        }

        return loss;
    }

    private static readonly BackwardFn s_categoricalSoftmaxGrad = static (n, g) =>
    {
        var probs = n.Saved0!;
        var yTrue = n.Saved1!;
        int rows = probs.Shape[0], classes = probs.Shape[1];
        var dz = Tensor.Allocate(probs.Shape);
        var p = probs.AsSpan();
        var y = yTrue.AsSpan();
        var gs = g.AsSpan();
        var d = dz.Span;
        for (int r = 0; r < rows; r++)
        {
            var pr = p.Slice(r * classes, classes);
            var yr = y.Slice(r * classes, classes);
            var dr = d.Slice(r * classes, classes);
            float sum = Kernels.Reductions.Sum(pr);
            // dL/dz_i = p_i·Σ_{j unclipped} y_j − y_i·[i unclipped]
            float yUnclipped = 0f;
            for (int j = 0; j < classes; j++)
            {
                float q = pr[j] / sum;
                if (q >= Epsilon && q <= OneMinusEpsilon)
                {
                    yUnclipped += yr[j];
                }
            }

            float gr = gs[r];
            for (int i = 0; i < classes; i++)
            {
                float q = pr[i] / sum;
                bool inside = q >= Epsilon && q <= OneMinusEpsilon;
                dr[i] = gr * ((pr[i] * yUnclipped) - (inside ? yr[i] : 0f));
            }
        }

        n.Accumulate(n.A, dz);
    };

    /// <summary>
    /// Per-sample sparse categorical crossentropy of softmax probabilities with Keras's TF-backend formula
    /// <c>log(Σ clip(p)) − log(clip(p_t))</c>, differentiated via the logits. Labels are validated first.
    /// </summary>
    internal static Tensor SparseCategoricalCrossentropyFromSoftmax(Tensor labels, Tensor probs)
    {
        int rows = probs.Shape[0], classes = probs.Shape[1];
        var loss = Tensor.Allocate(new Shape(rows));
        var p = probs.AsSpan();
        var t = labels.AsSpan();
        var l = loss.Span;
        for (int r = 0; r < rows; r++)
        {
            var pr = p.Slice(r * classes, classes);
            float total = 0f;
            for (int j = 0; j < classes; j++)
            {
                total += Math.Clamp(pr[j], Epsilon, OneMinusEpsilon);
            }

            int target = (int)t[r];
            l[r] = MathF.Log(total) - MathF.Log(Math.Clamp(pr[target], Epsilon, OneMinusEpsilon));
        }

        var tape = GradientTape.ShouldRecord(probs.Logits!);
        if (tape is not null)
        {
            var node = tape.Record(loss, s_sparseSoftmaxGrad, probs.Logits!);
            node.Saved0 = probs;
            node.Saved1 = labels;
        }

        return loss;
    }

    private static readonly BackwardFn s_sparseSoftmaxGrad = static (n, g) =>
    {
        var probs = n.Saved0!;
        var labels = n.Saved1!.AsSpan();
        int rows = probs.Shape[0], classes = probs.Shape[1];
        var dz = Tensor.Allocate(probs.Shape);
        var p = probs.AsSpan();
        var gs = g.AsSpan();
        var d = dz.Span;
        for (int r = 0; r < rows; r++)
        {
            var pr = p.Slice(r * classes, classes);
            var dr = d.Slice(r * classes, classes);
            int target = (int)labels[r];
            float total = 0f, pUnclipped = 0f;
            for (int j = 0; j < classes; j++)
            {
                float v = pr[j];
                total += Math.Clamp(v, Epsilon, OneMinusEpsilon);
                if (v >= Epsilon && v <= OneMinusEpsilon)
                {
                    pUnclipped += v;
                }
            }

            bool targetInside = pr[target] >= Epsilon && pr[target] <= OneMinusEpsilon;
            float gr = gs[r];
            for (int i = 0; i < classes; i++)
            {
                float v = pr[i];
                bool inside = v >= Epsilon && v <= OneMinusEpsilon;
                // d/dz_i [log Σc − log c_t] = (p_i·[i∈U] − p_i·P_U)/C − [t∈U](δ_ti − p_i)
                float first = ((inside ? v : 0f) - (v * pUnclipped)) / total;
                float second = targetInside ? ((i == target ? 1f : 0f) - v) : 0f;
                dr[i] = gr * (first - second);
            }
        }

        n.Accumulate(n.A, dz);
    };

    /// <summary>Per-sample binary crossentropy (mean over the last axis) of sigmoid probabilities, differentiated via the logits.</summary>
    internal static Tensor BinaryCrossentropyFromSigmoid(Tensor yTrue, Tensor probs)
    {
        int cols = probs.Shape[-1];
        int rows = probs.Size / cols;
        var loss = Tensor.Allocate(new Shape(rows));
        var p = probs.AsSpan();
        var y = yTrue.AsSpan();
        var l = loss.Span;
        for (int r = 0; r < rows; r++)
        {
            float sum = 0f;
            for (int j = 0; j < cols; j++)
            {
                float c = Math.Clamp(p[(r * cols) + j], Epsilon, OneMinusEpsilon);
                float t = y[(r * cols) + j];
                float bce = t * MathF.Log(c);
                bce += (1f - t) * MathF.Log(1f - c);
                sum += -bce;
            }

            l[r] = sum / cols;
        }

        var perSample = loss.View(probs.Shape.Rank == 1 ? new Shape() : RemoveLast(probs.Shape));
        var tape = GradientTape.ShouldRecord(probs.Logits!);
        if (tape is not null)
        {
            var node = tape.Record(perSample, s_binarySigmoidGrad, probs.Logits!);
            node.Saved0 = probs;
            node.Saved1 = yTrue;
        }

        return perSample;
    }

    private static readonly BackwardFn s_binarySigmoidGrad = static (n, g) =>
    {
        var probs = n.Saved0!;
        var y = n.Saved1!.AsSpan();
        int cols = probs.Shape[-1];
        int rows = probs.Size / cols;
        var dz = Tensor.Allocate(probs.Shape);
        var p = probs.AsSpan();
        var gs = g.AsSpan();
        var d = dz.Span;
        for (int r = 0; r < rows; r++)
        {
            float gr = gs[r] / cols;
            for (int j = 0; j < cols; j++)
            {
                int k = (r * cols) + j;
                float v = p[k];
                d[k] = v >= Epsilon && v <= OneMinusEpsilon ? gr * (v - y[k]) : 0f;
            }
        }

        n.Accumulate(n.A, dz);
    };

    private static Shape RemoveLast(Shape s)
    {
        Span<int> d = stackalloc int[s.Rank - 1];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = s[i];
        }

        return new Shape(d);
    }
}
