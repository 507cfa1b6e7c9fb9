using System.Runtime.Intrinsics;

namespace KerasNotes.Kernels;

#pragma warning disable CA1812 // Instantiated only as generic type arguments.

internal readonly struct AddOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x + y;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

internal readonly struct SubtractOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x - y;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
}

internal readonly struct MultiplyOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x * y;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

internal readonly struct DivideOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x / y;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
}

/// <summary>max(x, y), NaN if either is NaN (as tf.maximum).</summary>
internal readonly struct MaximumOp : IBinaryOp
{
    public static float Invoke(float x, float y) => MathF.Max(x, y);

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);
}

/// <summary>min(x, y), NaN if either is NaN (as tf.minimum).</summary>
internal readonly struct MinimumOp : IBinaryOp
{
    public static float Invoke(float x, float y) => MathF.Min(x, y);

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Min(x, y);

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Min(x, y);
}

/// <summary>1 where x &gt; y, else 0.</summary>
internal readonly struct GreaterOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x > y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.GreaterThan(x, y) & Vector256<float>.One;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.GreaterThan(x, y) & Vector512<float>.One;
}

/// <summary>1 where x &gt;= y, else 0.</summary>
internal readonly struct GreaterEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x >= y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.GreaterThanOrEqual(x, y) & Vector256<float>.One;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.GreaterThanOrEqual(x, y) & Vector512<float>.One;
}

/// <summary>1 where x &lt; y, else 0.</summary>
internal readonly struct LessOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x < y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.LessThan(x, y) & Vector256<float>.One;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.LessThan(x, y) & Vector512<float>.One;
}

/// <summary>1 where x &lt;= y, else 0.</summary>
internal readonly struct LessEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x <= y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.LessThanOrEqual(x, y) & Vector256<float>.One;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.LessThanOrEqual(x, y) & Vector512<float>.One;
}

/// <summary>1 where x == y, else 0.</summary>
internal readonly struct EqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x == y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.Equals(x, y) & Vector256<float>.One;

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.Equals(x, y) & Vector512<float>.One;
}

/// <summary>1 where x != y, else 0.</summary>
internal readonly struct NotEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x != y ? 1f : 0f;

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256<float>.One & ~Vector256.Equals(x, y);

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512<float>.One & ~Vector512.Equals(x, y);
}

/// <summary>Gradient of relu: dy where x &gt; 0, else 0 (relu'(0) = 0, as TensorFlow).</summary>
internal readonly struct ReluGradOp : IBinaryOp
{
    public static float Invoke(float dy, float x) => x > 0f ? dy : 0f;

    public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x) =>
        Vector256.GreaterThan(x, Vector256<float>.Zero) & dy;

    public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x) =>
        Vector512.GreaterThan(x, Vector512<float>.Zero) & dy;
}

/// <summary>Gradient of tanh from its output y: dy·(1 − y²).</summary>
internal readonly struct TanhGradOp : IBinaryOp
{
    public static float Invoke(float dy, float y) => dy * (1f - (y * y));

    public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y) => dy * (Vector256<float>.One - (y * y));

    public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y) => dy * (Vector512<float>.One - (y * y));
}

/// <summary>Gradient of sigmoid from its output y: dy·y·(1 − y).</summary>
internal readonly struct SigmoidGradOp : IBinaryOp
{
    public static float Invoke(float dy, float y) => dy * (y * (1f - y));

    public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y) => dy * (y * (Vector256<float>.One - y));

    public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y) => dy * (y * (Vector512<float>.One - y));
}

internal readonly struct ReluOp : IUnaryOp
{
    public static float Invoke(float x) => x > 0f ? x : (float.IsNaN(x) ? x : 0f);

    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.Zero, x);

    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.Zero, x);
}

internal readonly struct SquareOp : IUnaryOp
{
    public static float Invoke(float x) => x * x;

    public static Vector256<float> Invoke(Vector256<float> x) => x * x;

    public static Vector512<float> Invoke(Vector512<float> x) => x * x;
}

internal readonly struct NegateOp : IUnaryOp
{
    public static float Invoke(float x) => -x;

    public static Vector256<float> Invoke(Vector256<float> x) => -x;

    public static Vector512<float> Invoke(Vector512<float> x) => -x;
}

internal readonly struct AbsOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Abs(x);

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
}

/// <summary>-1, ±0 or 1 (NaN stays NaN; a zero keeps its sign).</summary>
internal readonly struct SignOp : IUnaryOp
{
    public static float Invoke(float x) => x > 0f ? 1f : x < 0f ? -1f : x;

    // Select rather than arithmetic, so ±0 and NaN come back unchanged exactly as in the scalar form.
    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(
            Vector256.GreaterThan(x, Vector256<float>.Zero),
            Vector256<float>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -Vector256<float>.One, x));

    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(
            Vector512.GreaterThan(x, Vector512<float>.Zero),
            Vector512<float>.One,
            Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -Vector512<float>.One, x));
}

internal readonly struct SqrtOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Sqrt(x);

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

internal readonly struct ReciprocalOp : IUnaryOp
{
    public static float Invoke(float x) => 1f / x;

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / x;

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / x;
}

internal readonly struct FloorOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Floor(x);

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Floor(x);

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Floor(x);
}

/// <summary>Round half to even, as numpy and TensorFlow round.</summary>
internal readonly struct RoundOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Round(x, MidpointRounding.ToEven);

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Round(x);

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Round(x);
}
