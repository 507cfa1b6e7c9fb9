using KerasNotes.Kernels;

namespace KerasNotes;

public static partial class Ops
{
    /// <summary>
    /// Matrix product <c>op(a) · op(b)</c>, where <c>op</c> transposes the last two axes when asked.
    /// </summary>
    /// <remarks>
    /// Shapes: <paramref name="a"/> <c>[..., m, k]</c> with <paramref name="b"/> <c>[k, n]</c> (leading axes of
    /// <paramref name="a"/> are kept, as Keras's Dense does); or both rank 2; or both rank 3 with the same batch
    /// size (a batched product). Transposes are absorbed by the kernel's packing: no transposed copy is made.
    /// </remarks>
    /// <exception cref="ArgumentException">The inner dimensions differ or the ranks are not supported; the message shows both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var y = MatMulKernel(a, b, transposeA, transposeB, accumulateInto: null);
        var tape = GradientTape.ShouldRecord(a, b);
        if (tape is not null)
        {
            var node = tape.Record(y, s_matmulGrad, a, b);
            node.I0 = (transposeA ? 1 : 0) | (transposeB ? 2 : 0);
        }

        return y;
    }

    private static Tensor MatMulKernel(Tensor a, Tensor b, bool transA, bool transB, Tensor? accumulateInto)
    {
        var sa = a.Shape;
        var sb = b.Shape;
        if (sa.Rank < 2 || sb.Rank < 2)
        {
            throw new ArgumentException($"MatMul needs operands of rank 2 or more; got {sa} and {sb}.", nameof(a));
        }

        if (sb.Rank == 2 && (sa.Rank == 2 || !transA))
        {
            int m = transA ? sa[1] : sa.Product(0, sa.Rank - 1);
            int k = transA ? sa[0] : sa[sa.Rank - 1];
            int kb = transB ? sb[1] : sb[0];
            int n = transB ? sb[0] : sb[1];
            if (k != kb)
            {
                throw new ArgumentException(
                    $"MatMul: inner dimensions differ: {sa}{(transA ? "ᵀ" : string.Empty)} · {sb}{(transB ? "ᵀ" : string.Empty)} ({k} vs {kb}).", nameof(b));
            }

            Shape outShape;
            if (sa.Rank == 2)
            {
                outShape = new Shape(m, n);
            }
            else
            {
                outShape = sa.With(-1, n);
            }

            var y = accumulateInto ?? Tensor.Allocate(outShape);
            Gemm.Multiply(a.AsSpan(), sa[sa.Rank - 1], transA, b.AsSpan(), sb[1], transB, y.Span, n, m, n, k, accumulate: accumulateInto is not null);
            return y;
        }

        if (sa.Rank == 3 && sb.Rank == 3 && sa[0] == sb[0])
        {
            int batch = sa[0];
            int m = transA ? sa[2] : sa[1];
            int k = transA ? sa[1] : sa[2];
            int kb = transB ? sb[2] : sb[1];
            int n = transB ? sb[1] : sb[2];
            if (k != kb)
            {
                throw new ArgumentException($"MatMul: inner dimensions differ: {sa} · {sb} ({k} vs {kb}).", nameof(b));
            }

            var y = accumulateInto ?? Tensor.Allocate(new Shape(batch, m, n));
            int strideA = sa[1] * sa[2], strideB = sb[1] * sb[2], strideC = m * n;
            for (int i = 0; i < batch; i++)
            {
                Gemm.Multiply(
                    a.AsSpan().Slice(i * strideA, strideA), sa[2], transA,
                    b.AsSpan().Slice(i * strideB, strideB), sb[2], transB,
                    y.Span.Slice(i * strideC, strideC), n, m, n, k, accumulate: accumulateInto is not null);
            }

            return y;
        }

        throw new ArgumentException(
            $"MatMul supports [..., m, k]·[k, n] and batched [b, m, k]·[b, k, n]; got {sa} and {sb}.", nameof(a));
    }

    private static readonly BackwardFn s_matmulGrad = static (n, g) =>
    {
        var a = n.A!;
        var b = n.B!;
        bool ta = (n.I0 & 1) != 0, tb = (n.I0 & 2) != 0;
        if (a.Rank > 2 && b.Rank == 2)
        {
            // Leading axes of a were flattened into rows; do the same for a and g.
            int k = a.Shape[-1];
            var a2 = a.View(new Shape(a.Size / k, k));
            var g2 = g.View(new Shape(g.Size / g.Shape[-1], g.Shape[-1]));
            if (n.Needs(a))
            {
                var da2 = tb ? MatMulKernel(g2, b, false, false, null) : MatMulKernel(g2, b, false, true, null);
                n.Accumulate(a, da2.View(a.Shape));
            }

            if (n.Needs(b))
            {
                n.Accumulate(b, tb ? MatMulKernel(g2, a2, true, false, null) : MatMulKernel(a2, g2, true, false, null));
            }

            return;
        }

        if (n.Needs(a))
        {
            Tensor da = (ta, tb) switch
            {
                (false, false) => MatMulKernel(g, b, false, true, null),
                (false, true) => MatMulKernel(g, b, false, false, null),
                (true, false) => MatMulKernel(b, g, false, true, null),
                _ => MatMulKernel(b, g, true, true, null),
            };
            n.Accumulate(a, da);
        }

        if (n.Needs(b))
        {
            Tensor db = (ta, tb) switch
            {
                (false, false) => MatMulKernel(a, g, true, false, null),
                (false, true) => MatMulKernel(g, a, true, false, null),
                (true, false) => MatMulKernel(a, g, false, false, null),
                _ => MatMulKernel(g, a, true, true, null),
            };
            n.Accumulate(b, db);
        }
    };
}
