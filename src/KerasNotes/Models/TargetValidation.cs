using System.Globalization;
using KerasNotes.Losses;

namespace KerasNotes.Models;

/// <summary>
/// Checks targets against the compiled loss and the model's output shape before training starts, so a
/// mismatch is reported up front (naming the argument, the value and what was expected) and never
/// halfway through an epoch after weights or statistics have changed.
/// </summary>
internal static class TargetValidation
{
    public static void Check(Loss loss, Tensor y, Shape outputShape, string yName)
    {
        switch (loss)
        {
            case SparseCategoricalCrossentropy:
                CheckSparse(y, outputShape, yName);
                break;
            case CategoricalCrossentropy:
                CheckSameShape(y, outputShape, yName, "CategoricalCrossentropy needs one-hot targets shaped like the predictions; for integer labels use SparseCategoricalCrossentropy");
                break;
            case LossFunctionWrapper or ShapeResolvedCrossentropy:
                break;
            default:
                CheckBroadcastable(y, outputShape, yName, loss.Name);
                break;
        }
    }

    private static void CheckSparse(Tensor y, Shape outputShape, string yName)
    {
        int classes = outputShape[-1];
        bool shapeOk = (y.Rank == outputShape.Rank - 1) || (y.Rank == outputShape.Rank && y.Shape[-1] == 1);
        if (!shapeOk)
        {
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy needs integer labels of shape [N] or [N, 1] for predictions of shape {outputShape}; '{yName}' has shape {y.Shape}.", yName);
        }

        var span = y.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!(v >= 0 && v < classes) || v != MathF.Floor(v))
            {
                throw new ArgumentException(
                    $"'{yName}' holds label {v.ToString(CultureInfo.InvariantCulture)} at sample {i}; expected an integer class index in [0, {classes}) for a model with {classes} outputs.", yName);
            }
        }
    }

    private static void CheckSameShape(Tensor y, Shape outputShape, string yName, string why)
    {
        bool ok = y.Rank == outputShape.Rank;
        for (int i = 1; ok && i < y.Rank; i++)
        {
            ok = y.Shape[i] == outputShape[i];
        }

        if (!ok)
        {
            throw new ArgumentException($"{why}: predictions have shape {outputShape}, '{yName}' has shape {y.Shape}.", yName);
        }
    }

    private static void CheckBroadcastable(Tensor y, Shape outputShape, string yName, string lossName)
    {
        // Compare per-sample shapes after Keras's rank alignment.
        var ys = y.Shape;
        var ps = outputShape.With(0, ys[0]);
        if (ys.Rank == ps.Rank + 1 && ys[-1] == 1)
        {
            ys = Squeeze(ys);
        }
        else if (ps.Rank == ys.Rank + 1 && ps[-1] == 1)
        {
            ps = Squeeze(ps);
        }

        try
        {
            var joint = Kernels.Broadcasting.ResultShape(ys, ps, lossName);
            if (joint != ps)
            {
                throw new ArgumentException("targets larger than predictions");
            }
        }
        catch (ArgumentException)
        {
            throw new ArgumentException(
                $"Loss '{lossName}' cannot compare targets of shape {y.Shape} ('{yName}') with predictions of shape {outputShape}.", yName);
        }
    }

    private static Shape Squeeze(Shape s)
    {
        Span<int> d = stackalloc int[s.Rank - 1];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = s[i];
        }

        return new Shape(d);
    }
}
