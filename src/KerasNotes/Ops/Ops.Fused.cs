using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// Fused ops for the hot paths (Dense, BatchNormalization, Dropout, softmax/sigmoid crossentropy):
/// one recorded node with a hand-derived backward where a chain of <see cref="Ops"/> would record
/// several. Each gives the same numbers as the chain it replaces (the tests check this).
/// </summary>
public static partial class Ops
{
    /// <summary>y = act(x·W + b) over the last axis of x; one node, one GEMM per gradient.</summary>
    internal static Tensor Dense(Tensor x, Tensor kernel, Tensor? bias, FusedActivation activation)
    {
        int inDim = kernel.Shape[0], units = kernel.Shape[1];
        int rows = x.Size / inDim;
        var y = Tensor.Allocate(x.Shape.With(-1, units));
        Gemm.Multiply(x.AsSpan(), inDim, false, kernel.AsSpan(), units, false, y.Span, units, rows, units, inDim, accumulate: false);
        LayerKernels.BiasActivation(y.Span, bias is null ? default : bias.AsSpan(), rows, units, activation);
        var tape = GradientTape.ShouldRecord(x, kernel, bias);
        if (tape is not null)
        {
            tape.Record(y, s_denseGrad, x, kernel, bias).I0 = (int)activation;
        }

        return y;
    }

    private static readonly BackwardFn s_denseGrad = static (n, g) =>
    {
        var x = n.A!;
        var kernel = n.B!;
        var bias = n.C;
        int inDim = kernel.Shape[0], units = kernel.Shape[1];
        int rows = x.Size / inDim;
        var dz = Tensor.Allocate(g.Shape);
        LayerKernels.ActivationGrad(g.AsSpan(), n.Output.AsSpan(), dz.Span, (FusedActivation)n.I0);
        if (n.Needs(x))
        {
            var dx = Tensor.Allocate(x.Shape);
            Gemm.Multiply(dz.AsSpan(), units, false, kernel.AsSpan(), units, true, dx.Span, inDim, rows, inDim, units, accumulate: false);
            n.Accumulate(x, dx);
        }

        if (n.Needs(kernel))
        {
            var dk = Tensor.Allocate(kernel.Shape);
            Gemm.Multiply(x.AsSpan(), inDim, true, dz.AsSpan(), units, false, dk.Span, units, inDim, units, rows, accumulate: false);
            n.Accumulate(kernel, dk);
        }

        if (bias is not null && n.Needs(bias))
        {
            var db = Tensor.Allocate(bias.Shape);
            Reductions.SumAxis(dz.AsSpan(), 1, rows, units, db.Span);
            n.Accumulate(bias, db);
        }
    };

    /// <summary>
    /// Training-mode batch normalization over the last axis: normalises with the batch mean and biased
    /// variance, and updates the moving statistics in place (not part of the gradient).
    /// </summary>
    internal static Tensor BatchNormTraining(
        Tensor x, Tensor? gamma, Tensor? beta, Variable movingMean, Variable movingVariance, float momentum, float epsilon)
    {
        int cols = x.Shape[-1];
        int rows = x.Size / cols;
        var mean = Tensor.Allocate(new Shape(cols));
        var variance = Tensor.Allocate(new Shape(cols));
        var inv = Tensor.Allocate(new Shape(cols));
        var scale = Tensor.Allocate(new Shape(cols));
        var shift = Tensor.Allocate(new Shape(cols));
        LayerKernels.Moments(x.AsSpan(), rows, cols, mean.Span, variance.Span);
        LayerKernels.BatchNormCoefficients(
            mean.AsSpan(), variance.AsSpan(), gamma is null ? default : gamma.AsSpan(), beta is null ? default : beta.AsSpan(),
            epsilon, inv.Span, scale.Span, shift.Span);
        var y = Tensor.Allocate(x.Shape);
        LayerKernels.ScaleShift(x.AsSpan(), rows, cols, scale.AsSpan(), shift.AsSpan(), y.Span);
        LayerKernels.MovingAverage(movingMean.Value.Span, mean.AsSpan(), momentum);
        LayerKernels.MovingAverage(movingVariance.Value.Span, variance.AsSpan(), momentum);
        var tape = GradientTape.ShouldRecord(x, gamma, beta);
        if (tape is not null)
        {
            var node = tape.Record(y, s_batchNormTrainingGrad, x, gamma, beta);
            node.Saved0 = mean;
            node.Saved1 = inv;
        }

        return y;
    }

    private static readonly BackwardFn s_batchNormTrainingGrad = static (n, g) =>
    {
        var x = n.A!;
        int cols = x.Shape[-1];
        int rows = x.Size / cols;
        var dx = Tensor.Allocate(x.Shape);
        var dgamma = Tensor.Allocate(new Shape(cols));
        var dbeta = Tensor.Allocate(new Shape(cols));
        var scratch = Tensor.Allocate(new Shape(cols));
        LayerKernels.BatchNormTrainingGrad(
            x.AsSpan(), g.AsSpan(), rows, cols, n.Saved0!.AsSpan(), n.Saved1!.AsSpan(),
            n.B is null ? default : n.B.AsSpan(), dx.Span, dgamma.Span, dbeta.Span, scratch.Span);
        n.Accumulate(x, dx);
        if (n.B is not null)
        {
            n.Accumulate(n.B, dgamma);
        }

        if (n.C is not null)
        {
            n.Accumulate(n.C, dbeta);
        }
    };

    /// <summary>Inference-mode batch normalization over the last axis, with the moving statistics.</summary>
    internal static Tensor BatchNormInference(
        Tensor x, Tensor? gamma, Tensor? beta, Tensor movingMean, Tensor movingVariance, float epsilon)
    {
        int cols = x.Shape[-1];
        int rows = x.Size / cols;
        var inv = Tensor.Allocate(new Shape(cols));
        var scale = Tensor.Allocate(new Shape(cols));
        var shift = Tensor.Allocate(new Shape(cols));
        LayerKernels.BatchNormCoefficients(
            movingMean.AsSpan(), movingVariance.AsSpan(), gamma is null ? default : gamma.AsSpan(), beta is null ? default : beta.AsSpan(),
            epsilon, inv.Span, scale.Span, shift.Span);
        var y = Tensor.Allocate(x.Shape);
        LayerKernels.ScaleShift(x.AsSpan(), rows, cols, scale.AsSpan(), shift.AsSpan(), y.Span);
        var tape = GradientTape.ShouldRecord(x, gamma, beta);
        if (tape is not null)
        {
            var node = tape.Record(y, s_batchNormInferenceGrad, x, gamma, beta);
            node.Saved0 = movingMean;
            node.Saved1 = inv;
            node.Saved2 = scale;
        }

        return y;
    }

    private static readonly BackwardFn s_batchNormInferenceGrad = static (n, g) =>
    {
        var x = n.A!;
        int cols = x.Shape[-1];
        int rows = x.Size / cols;
        var gs = g.AsSpan();
        if (n.Needs(x))
        {
            var dx = Tensor.Allocate(x.Shape);
            var noShift = Tensor.AllocateZeroed(new Shape(cols));
            LayerKernels.ScaleShift(gs, rows, cols, n.Saved2!.AsSpan(), noShift.AsSpan(), dx.Span);
            n.Accumulate(x, dx);
        }

        if (n.B is not null && n.Needs(n.B))
        {
            // dgamma = Σ g·(x − mean)·inv
            var xhat = Tensor.Allocate(x.Shape);
            var negMeanInv = Tensor.Allocate(new Shape(cols));
            var mean = n.Saved0!.AsSpan();
            var inv = n.Saved1!.AsSpan();
            var nm = negMeanInv.Span;
            for (int c = 0; c < cols; c++)
            {
                nm[c] = -mean[c] * inv[c];
            }

            LayerKernels.ScaleShift(x.AsSpan(), rows, cols, inv, nm, xhat.Span);
            ElementwiseDriver.Binary<MultiplyOp>(xhat.AsSpan(), gs, xhat.Span);
            var dgamma = Tensor.Allocate(new Shape(cols));
            Reductions.SumAxis(xhat.AsSpan(), 1, rows, cols, dgamma.Span);
            n.Accumulate(n.B, dgamma);
        }

        if (n.C is not null && n.Needs(n.C))
        {
            var dbeta = Tensor.Allocate(new Shape(cols));
            Reductions.SumAxis(gs, 1, rows, cols, dbeta.Span);
            n.Accumulate(n.C, dbeta);
        }
    };

    /// <summary>Inverted dropout with a fresh mask from <paramref name="rng"/>; the mask may be broadcast from <paramref name="noiseShape"/>.</summary>
    internal static Tensor Dropout(Tensor x, float rate, RandomGenerator rng, Shape? noiseShape)
    {
        float keep = 1f - rate;
        Tensor mask;
        if (noiseShape is Shape ns && ns != x.Shape)
        {
            var small = Tensor.Allocate(ns);
            rng.FillBernoulliMask(small.Span, keep);
            mask = Tensor.Allocate(x.Shape);
            Broadcasting.Expand(small, mask);
        }
        else
        {
            mask = Tensor.Allocate(x.Shape);
            rng.FillBernoulliMask(mask.Span, keep);
        }

        var y = Tensor.Allocate(x.Shape);
        LayerKernels.DropoutApply(x.AsSpan(), mask.AsSpan(), keep, y.Span);
        var tape = GradientTape.ShouldRecord(x);
        if (tape is not null)
        {
            var node = tape.Record(y, s_dropoutGrad, x);
            node.Saved0 = mask;
            node.F0 = keep;
        }

        return y;
    }

    private static readonly BackwardFn s_dropoutGrad = static (n, g) =>
    {
        var dx = Tensor.Allocate(g.Shape);
        LayerKernels.DropoutApply(g.AsSpan(), n.Saved0!.AsSpan(), n.F0, dx.Span);
        n.Accumulate(n.A, dx);
    };
}
