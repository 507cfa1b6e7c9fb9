using System.Runtime.CompilerServices;
using System.Text;

namespace KerasNotes;

/// <summary>
/// The dimensions of a tensor, batch axis first (Keras's <c>shape</c> tuple).
/// </summary>
/// <remarks>
/// A value type with inline storage (up to <see cref="MaxRank"/> dimensions), so creating
/// shapes in a training step allocates nothing. A dimension of <c>-1</c> means "unknown"
/// (Keras's <c>None</c>); it appears in layer shapes such as <c>[None, 784]</c>, never in
/// the shape of a concrete tensor.
/// </remarks>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest rank a shape can have.</summary>
    public const int MaxRank = 8;

    private readonly DimBuffer _dims;
    private readonly int _rank;

    /// <summary>Creates a shape from its dimensions (use <c>-1</c> for an unknown dimension).</summary>
    /// <param name="dims">The dimensions, outermost first.</param>
    /// <exception cref="ArgumentException">More than <see cref="MaxRank"/> dimensions, or a dimension below -1.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
        {
            throw new ArgumentException(
                $"A shape may have at most {MaxRank} dimensions, got {dims.Length}.", nameof(dims));
        }

        _rank = dims.Length;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < -1)
            {
                throw new ArgumentException(
                    $"Dimension {i} is {dims[i]}; expected a size >= 0 or -1 for unknown.", nameof(dims));
            }

            _dims[i] = dims[i];
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _rank;

    /// <summary>The dimensions as a new array (a copy).</summary>
    public int[] Dims
    {
        get
        {
            var result = new int[_rank];
            for (int i = 0; i < _rank; i++)
            {
                result[i] = _dims[i];
            }

            return result;
        }
    }

    /// <summary>
    /// The dimension at <paramref name="axis"/>; negative values count from the end (<c>-1</c> is the last axis).
    /// </summary>
    /// <param name="axis">The axis, in <c>[-Rank, Rank)</c>.</param>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>True when every dimension is known.</summary>
    public bool IsFullyDefined
    {
        get
        {
            for (int i = 0; i < _rank; i++)
            {
                if (_dims[i] < 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The number of elements (the product of the dimensions); 1 for a scalar.</summary>
    /// <exception cref="InvalidOperationException">A dimension is unknown.</exception>
    public int Size
    {
        get
        {
            if (!IsFullyDefined)
            {
                throw new InvalidOperationException($"Shape {this} has an unknown dimension, so it has no size.");
            }

            long size = SaturatedProduct(0, _rank);
            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException($"Shape {this} has more elements than an array can hold.");
            }

            return (int)size;
        }
    }

    /// <summary>
    /// True when a tensor of shape <paramref name="actual"/> fits this declared shape: the same rank, and from
    /// <paramref name="firstAxis"/> on each size equal, or unknown (-1) on either side. Inputs, Sequential models,
    /// functional models (which skip the batch axis) and Fit all check data against a declared shape this way.
    /// </summary>
    internal bool Accepts(Shape actual, int firstAxis = 0)
    {
        if (actual.Rank != Rank)
        {
            return false;
        }

        for (int i = firstAxis; i < Rank; i++)
        {
            if (this[i] >= 0 && actual[i] >= 0 && this[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The product of dimensions <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), saturating
    /// just above <see cref="Array.MaxLength"/> so huge dimensions cannot wrap around to a small number (a zero further
    /// on still makes it 0). Unknown dimensions must have been excluded by the caller.
    /// </summary>
    internal long SaturatedProduct(int start, int end)
    {
        long p = 1;
        for (int i = start; i < end; i++)
        {
            p = Math.Min(p * _dims[i], (long)Array.MaxLength + 1);
        }

        return p;
    }

    /// <summary>
    /// The element count of a tensor of this shape, or an <see cref="ArgumentException"/> naming
    /// <paramref name="argument"/> when the shape has an unknown dimension or more elements than an array can hold.
    /// </summary>
    internal int SizeFor(string argument)
    {
        for (int i = 0; i < _rank; i++)
        {
            if (_dims[i] < 0)
            {
                throw new ArgumentException($"Shape {this} has an unknown dimension (-1 at axis {i}); a tensor needs every size known.", argument);
            }
        }

        long size = SaturatedProduct(0, _rank);
        if (size > Array.MaxLength)
        {
            throw new ArgumentException($"Shape {this} has more elements than a tensor can hold (at most {Array.MaxLength}).", argument);
        }

        return (int)size;
    }

    /// <summary>The product of the dimensions from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    /// <exception cref="InvalidOperationException">The product is more than an array can hold.</exception>
    internal int Product(int start, int end)
    {
        long p = SaturatedProduct(start, end);
        if (p > Array.MaxLength)
        {
            throw new InvalidOperationException($"Dimensions {start}..{end - 1} of shape {this} multiply to more than an array can hold ({Array.MaxLength}).");
        }

        return (int)p;
    }

    /// <summary>
    /// The shape two operands broadcast to (NumPy rules: axes aligned from the right, a size of 1 stretches), or
    /// false when some axis has two different sizes, neither of them 1; <paramref name="failedAxis"/> is then that
    /// axis, counted from the end (-1 is the last).
    /// </summary>
    internal static bool TryBroadcast(Shape a, Shape b, out Shape result, out int failedAxis)
    {
        failedAxis = 0;
        if (a == b)
        {
            result = a;
            return true;
        }

        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> dims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
        {
            int ai = i - (rank - a.Rank), bi = i - (rank - b.Rank);
            int da = ai >= 0 ? a[ai] : 1, db = bi >= 0 ? b[bi] : 1;
            if (da == db || db == 1)
            {
                dims[i] = da;
            }
            else if (da == 1)
            {
                dims[i] = db;
            }
            else
            {
                failedAxis = i - rank;
                result = default;
                return false;
            }
        }

        result = new Shape(dims);
        return true;
    }

    /// <summary>Turns a possibly negative axis into an index in <c>[0, Rank)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside <c>[-Rank, Rank)</c>.</exception>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + _rank : axis;
        if ((uint)a >= (uint)_rank)
        {
            throw new ArgumentOutOfRangeException(
                nameof(axis), axis, $"Axis {axis} is out of range for shape {this} (rank {_rank}).");
        }

        return a;
    }

    /// <summary>Returns this shape with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int value)
    {
        int a = NormalizeAxis(axis);
        Span<int> d = stackalloc int[_rank];
        CopyTo(d);
        d[a] = value;
        return new Shape(d);
    }

    /// <summary>Returns the dimensions from <paramref name="start"/> on, as a new shape.</summary>
    public Shape Skip(int start)
    {
        Span<int> d = stackalloc int[_rank];
        CopyTo(d);
        return new Shape(d[start..]);
    }

    /// <summary>Returns this shape with <paramref name="first"/> put in front.</summary>
    public Shape Prepend(int first)
    {
        Span<int> d = stackalloc int[_rank + 1];
        d[0] = first;
        CopyTo(d[1..]);
        return new Shape(d);
    }

    /// <summary>Copies the dimensions into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<int> destination)
    {
        for (int i = 0; i < _rank; i++)
        {
            destination[i] = _dims[i];
        }
    }

    /// <inheritdoc />
    public bool Equals(Shape other)
    {
        if (_rank != other._rank)
        {
            return false;
        }

        for (int i = 0; i < _rank; i++)
        {
            if (_dims[i] != other._dims[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(_rank);
        for (int i = 0; i < _rank; i++)
        {
            h.Add(_dims[i]);
        }

        return h.ToHashCode();
    }

    /// <summary>Equality of rank and every dimension.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Inequality of rank or some dimension.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Shows the shape as <c>[32, 784]</c>, with <c>None</c> for unknown dimensions.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < _rank; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(_dims[i] < 0 ? "None" : _dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Shows the shape as Keras prints it in summaries: <c>(None, 784)</c>.</summary>
    internal string ToKerasString()
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < _rank; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(_dims[i] < 0 ? "None" : _dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (_rank == 1)
        {
            sb.Append(',');
        }

        return sb.Append(')').ToString();
    }

    /// <summary>Creates a shape from an array of dimensions.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    [InlineArray(MaxRank)]
    private struct DimBuffer
    {
        private int _element;
    }
}
