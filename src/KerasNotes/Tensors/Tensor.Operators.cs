namespace KerasNotes;

public sealed partial class Tensor
{
    /// <summary>A tensor sharing this one's buffer with another shape of the same size.</summary>
    internal Tensor View(Shape shape)
    {
        var arena = TensorArena.Current;
        return arena is not null ? arena.RentView(Data, Offset, shape) : new Tensor(Data, Offset, shape);
    }

    /// <summary>Element-wise sum with broadcasting (<see cref="Ops.Add(Tensor, Tensor)"/>).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary>Adds a constant to every element.</summary>
    public static Tensor operator +(Tensor a, float b) => Ops.Add(a, b);

    /// <summary>Adds a constant to every element.</summary>
    public static Tensor operator +(float a, Tensor b) => Ops.Add(b, a);

    /// <summary>Element-wise difference with broadcasting (<see cref="Ops.Subtract(Tensor, Tensor)"/>).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Subtract(a, b);

    /// <summary>Subtracts a constant from every element.</summary>
    public static Tensor operator -(Tensor a, float b) => Ops.Subtract(a, b);

    /// <summary>Subtracts every element from a constant.</summary>
    public static Tensor operator -(float a, Tensor b) => Ops.Subtract(a, b);

    /// <summary>Element-wise negation.</summary>
    public static Tensor operator -(Tensor a) => Ops.Negative(a);

    /// <summary>Element-wise product with broadcasting (<see cref="Ops.Multiply(Tensor, Tensor)"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Multiply(a, b);

    /// <summary>Multiplies every element by a constant.</summary>
    public static Tensor operator *(Tensor a, float b) => Ops.Multiply(a, b);

    /// <summary>Multiplies every element by a constant.</summary>
    public static Tensor operator *(float a, Tensor b) => Ops.Multiply(b, a);

    /// <summary>Element-wise quotient with broadcasting (<see cref="Ops.Divide(Tensor, Tensor)"/>).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Divide(a, b);

    /// <summary>Divides every element by a constant.</summary>
    public static Tensor operator /(Tensor a, float b) => Ops.Divide(a, b);

    /// <summary>Divides a constant by every element.</summary>
    public static Tensor operator /(float a, Tensor b) => Ops.Divide(a, b);

    /// <summary>Named alternative to <c>+</c>.</summary>
    public static Tensor Add(Tensor left, Tensor right) => Ops.Add(left, right);

    /// <summary>Named alternative to binary <c>-</c>.</summary>
    public static Tensor Subtract(Tensor left, Tensor right) => Ops.Subtract(left, right);

    /// <summary>Named alternative to <c>*</c>.</summary>
    public static Tensor Multiply(Tensor left, Tensor right) => Ops.Multiply(left, right);

    /// <summary>Named alternative to <c>/</c>.</summary>
    public static Tensor Divide(Tensor left, Tensor right) => Ops.Divide(left, right);

    /// <summary>Named alternative to unary <c>-</c>.</summary>
    public static Tensor Negate(Tensor item) => Ops.Negative(item);
}
