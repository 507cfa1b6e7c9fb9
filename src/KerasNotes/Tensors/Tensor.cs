using System.Globalization;
using System.Text;

namespace KerasNotes;

/// <summary>
/// A float32 tensor: a <see cref="KerasNotes.Shape"/> plus a contiguous row-major buffer.
/// </summary>
/// <remarks>
/// <para>Tensors are values: every <see cref="Ops"/> function returns a new tensor and never
/// changes its inputs. The only tensors that change in place are the values of
/// <see cref="Variable"/>s, which optimizers update.</para>
/// <para>A tensor may be a view of another one's buffer (for example a batch of rows of a
/// data set), so slicing rows costs no copy.</para>
/// <para>Inside <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> the temporaries of each step
/// come from a pool and are recycled when the step ends, so a custom loss or layer must not
/// keep a reference to a tensor it computed beyond the call; use <see cref="Clone"/> to keep one.</para>
/// </remarks>
public sealed partial class Tensor
{
    // Storage: Data[Offset .. Offset + Size) holds the elements in row-major order.
    internal float[] Data;
    internal int Offset;
    private Shape _shape;
    private int _size;

    // Autodiff bookkeeping (see GradientTape): the tape record that produced this tensor,
    // the variable whose value this is, and the gradient being accumulated during a backward pass.
    internal TapeNode? Node;
    internal Variable? Owner;
    internal Tensor? Grad;

    // Keras's TF backend lets a softmax/sigmoid output carry its pre-activation; crossentropy
    // uses it for the fused gradient (the forward value still follows the clipped formula).
    internal Tensor? Logits;
    internal LogitsKind LogitsKind;

    // True when the tensor came from the step pool (TensorArena) and is recycled with it.
    internal bool Pooled;

    internal Tensor(float[] data, int offset, Shape shape)
    {
        Data = data;
        Offset = offset;
        _shape = shape;
        _size = shape.Size;
    }

    /// <summary>The dimensions of the tensor.</summary>
    public Shape Shape => _shape;

    /// <summary>The number of elements.</summary>
    public int Size => _size;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Rank;

    /// <summary>The elements as a read-only span, row-major.</summary>
    public ReadOnlySpan<float> AsSpan() => new(Data, Offset, _size);

    internal Span<float> Span => new(Data, Offset, _size);

    /// <summary>Re-points a pooled tensor object at new storage (used by the step pool only).</summary>
    internal void Reset(float[] data, int offset, Shape shape)
    {
        Data = data;
        Offset = offset;
        _shape = shape;
        _size = shape.Size;
        Node = null;
        Owner = null;
        Grad = null;
        Logits = null;
        LogitsKind = LogitsKind.None;
    }

    /// <summary>Allocates an uninitialised tensor for an op's result, from the step pool when one is active.</summary>
    internal static Tensor Allocate(Shape shape)
    {
        var arena = TensorArena.Current;
        if (arena is not null)
        {
            return arena.Rent(shape);
        }

        return new Tensor(GC.AllocateUninitializedArray<float>(shape.Size), 0, shape);
    }

    /// <summary>Allocates a zero-filled tensor for an op's result, from the step pool when one is active.</summary>
    internal static Tensor AllocateZeroed(Shape shape)
    {
        var t = Allocate(shape);
        t.Span.Clear();
        return t;
    }

    /// <summary>Allocates a tensor that never comes from the step pool (weights, optimizer slots, results handed to the user).</summary>
    internal static Tensor AllocatePersistent(Shape shape) => new(new float[shape.Size], 0, shape);

    /// <summary>Creates a tensor from <paramref name="data"/> (copied) with the given shape.</summary>
    /// <param name="data">The elements in row-major order; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; if omitted, a vector of <c>data.Length</c> elements.</param>
    /// <exception cref="ArgumentException">The element count does not match the shape.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (!s.IsFullyDefined)
        {
            throw new ArgumentException($"Tensor.FromArray: 'data' has {data.Length} elements but shape {s} has an unknown dimension.", nameof(data));
        }

        int size = s.SizeFor(nameof(shape));
        if (size != data.Length)
        {
            throw new ArgumentException(
                $"Tensor.FromArray: 'data' has {data.Length} elements but shape {s} needs {size}.",
                nameof(data));
        }

        return new Tensor((float[])data.Clone(), 0, s);
    }

    /// <summary>Creates a tensor of shape <paramref name="shape"/> from <paramref name="data"/> (copied).</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, Shape shape)
    {
        int size = shape.SizeFor(nameof(shape));
        if (size != data.Length)
        {
            throw new ArgumentException(
                $"Tensor.FromSpan: 'data' has {data.Length} elements but shape {shape} needs {size}.",
                nameof(data));
        }

        return new Tensor(data.ToArray(), 0, shape);
    }

    /// <summary>Creates a rank-2 tensor from a 2-D array (copied).</summary>
    public static Tensor FromArray(float[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.GetLength(0), cols = data.GetLength(1);
        var buffer = new float[rows * cols];
        int k = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                buffer[k++] = data[i, j];
            }
        }

        return new Tensor(buffer, 0, new Shape(rows, cols));
    }

    /// <summary>Creates a rank-2 tensor from a jagged array whose rows all have the same length (copied).</summary>
    /// <exception cref="ArgumentException">The rows differ in length or a row is null.</exception>
    public static Tensor FromArray(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int cols = rows.Length == 0 ? 0 : (rows[0]?.Length ?? 0);
        var buffer = new float[rows.Length * cols];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (row is null)
            {
                throw new ArgumentException($"Row {i} of 'rows' is null (no elements); every row must be an array of the same length.", nameof(rows));
            }

            if (row.Length != cols)
            {
                throw new ArgumentException(
                    $"Row {i} of 'rows' has {row.Length.ToString(CultureInfo.InvariantCulture)} elements; expected {cols} like row 0.",
                    nameof(rows));
            }

            row.CopyTo(buffer, i * cols);
        }

        return new Tensor(buffer, 0, new Shape(rows.Length, cols));
    }

    /// <summary>Creates a vector of labels (one float per sample) from integer class indices.</summary>
    public static Tensor FromLabels(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var buffer = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            buffer[i] = labels[i];
        }

        return new Tensor(buffer, 0, new Shape(labels.Length));
    }

    /// <summary>Creates a scalar (rank-0) tensor.</summary>
    public static Tensor Scalar(float value) => new([value], 0, new Shape());

    /// <summary>Creates a tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        var s = new Shape(shape);
        return new(new float[s.SizeFor(nameof(shape))], 0, s);
    }

    /// <summary>Creates a tensor of zeros with the given shape.</summary>
    public static Tensor Zeros(Shape shape) => new(new float[shape.SizeFor(nameof(shape))], 0, shape);

    /// <summary>Creates a tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>Creates a tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var s = new Shape(shape);
        var data = new float[s.SizeFor(nameof(shape))];
        Array.Fill(data, value);
        return new Tensor(data, 0, s);
    }

    /// <summary>The elements as a new row-major array.</summary>
    public float[] ToArray() => AsSpan().ToArray();

    /// <summary>The elements of a rank-2 tensor as a new 2-D array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not rank 2.</exception>
    public float[,] ToArray2D()
    {
        if (Rank != 2)
        {
            throw new InvalidOperationException($"ToArray2D needs a rank-2 tensor; this one has shape {Shape}.");
        }

        int rows = _shape[0], cols = _shape[1];
        var result = new float[rows, cols];
        var span = AsSpan();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                result[i, j] = span[(i * cols) + j];
            }
        }

        return result;
    }

    /// <summary>The value of a tensor with exactly one element.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public float Item()
    {
        if (_size != 1)
        {
            throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {Shape}.");
        }

        return Data[Offset];
    }

    /// <summary>The element at the given indices (one per axis, negative counting from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length != Rank)
            {
                throw new ArgumentException(
                    $"Tensor of shape {Shape} needs {Rank} indices, got {indices.Length}.", nameof(indices));
            }

            int flat = 0;
            for (int i = 0; i < indices.Length; i++)
            {
                int dim = _shape[i];
                int idx = indices[i] < 0 ? indices[i] + dim : indices[i];
                if ((uint)idx >= (uint)dim)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(indices), indices[i], $"Index {indices[i]} on axis {i} is outside [0, {dim}) for shape {Shape}.");
                }

                flat = (flat * dim) + idx;
            }

            return Data[Offset + flat];
        }
    }

    /// <summary>A copy with its own buffer, outside any step pool, detached from gradient recording.</summary>
    public Tensor Clone() => new(AsSpan().ToArray(), 0, _shape);

    /// <summary>A view of rows <c>[start, start + count)</c> along the first axis, sharing this tensor's buffer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the first axis.</exception>
    public Tensor SliceRows(int start, int count)
    {
        if (Rank == 0)
        {
            throw new InvalidOperationException("SliceRows needs a tensor of rank 1 or more; this one is a scalar.");
        }

        if (start < 0 || count < 0 || start + count > _shape[0])
        {
            throw new ArgumentOutOfRangeException(
                nameof(start), start, $"Rows [{start}, {start + count}) are outside the first axis of shape {Shape}.");
        }

        int rowSize = _shape.Rank == 1 ? 1 : _shape.Product(1, _shape.Rank);
        return new Tensor(Data, Offset + (start * rowSize), _shape.With(0, count));
    }

    /// <summary>Shows the shape and, for small tensors, the values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Tensor(shape=").Append(Shape);
        if (_size <= 32)
        {
            sb.Append(", values=[");
            var span = AsSpan();
            for (int i = 0; i < span.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(span[i].ToString("G7", CultureInfo.InvariantCulture));
            }

            sb.Append(']');
        }

        return sb.Append(')').ToString();
    }
}

/// <summary>Which activation produced a tensor that carries its pre-activation logits.</summary>
internal enum LogitsKind
{
    None,
    Softmax,
    Sigmoid,
}
