using MathNet.Numerics.LinearAlgebra;

namespace KerasNotes.Data;

/// <summary>
/// Anything <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> accept as data (what Keras accepts as a NumPy
/// array): a <see cref="Tensor"/>, a <c>float[,]</c>, a jagged <c>float[][]</c>, a <c>float[]</c> vector,
/// <c>int[]</c> class labels, or a MathNet <see cref="Matrix{T}"/> (converted from its column-major layout
/// at this edge, never inside kernels). Conversions are implicit: pass the array itself.
/// </summary>
public readonly struct ArrayLike
{
    private ArrayLike(Tensor? tensor) => Tensor = tensor;

    /// <summary>The data as a tensor (batch axis first), or null for a default value.</summary>
    public Tensor? Tensor { get; }

    /// <summary>Wraps a tensor (no copy).</summary>
    public static implicit operator ArrayLike(Tensor? tensor) => new(tensor);

    /// <summary>Copies a 2-D array (rows are samples).</summary>
    public static implicit operator ArrayLike(float[,]? array) => new(array is null ? null : KerasNotes.Tensor.FromArray(array));

    /// <summary>Copies a jagged array whose rows all have the same length (rows are samples).</summary>
    public static implicit operator ArrayLike(float[][]? rows) => new(rows is null ? null : KerasNotes.Tensor.FromArray(rows));

    /// <summary>Copies a vector: one value per sample, shape <c>(N,)</c>.</summary>
    public static implicit operator ArrayLike(float[]? values) => new(values is null ? null : KerasNotes.Tensor.FromArray(values));

    /// <summary>Copies integer class labels, shape <c>(N,)</c>.</summary>
    public static implicit operator ArrayLike(int[]? labels) => new(labels is null ? null : KerasNotes.Tensor.FromLabels(labels));

    /// <summary>Copies a MathNet matrix (rows are samples), converting from column-major.</summary>
    public static implicit operator ArrayLike(Matrix<float>? matrix) => new(matrix is null ? null : FromMatrixCore(matrix));

    /// <summary>Named alternative to the implicit conversion from <see cref="KerasNotes.Tensor"/>.</summary>
    public static ArrayLike FromTensor(Tensor tensor) => new(tensor);

    /// <summary>Named alternative to the implicit conversion from a 2-D array.</summary>
    public static ArrayLike FromArray(float[,] array) => array;

    /// <summary>Named alternative to the implicit conversion from a jagged array.</summary>
    public static ArrayLike FromJagged(float[][] rows) => rows;

    /// <summary>Named alternative to the implicit conversion from a vector.</summary>
    public static ArrayLike FromVector(float[] values) => values;

    /// <summary>Named alternative to the implicit conversion from labels.</summary>
    public static ArrayLike FromLabels(int[] labels) => labels;

    /// <summary>Named alternative to the implicit conversion from a MathNet matrix.</summary>
    public static ArrayLike FromMatrix(Matrix<float> matrix) => matrix;

    private static Tensor FromMatrixCore(Matrix<float> matrix)
    {
        var data = matrix.ToRowMajorArray();
        return KerasNotes.Tensor.FromArray(data, matrix.RowCount, matrix.ColumnCount);
    }

    /// <summary>The tensor, or an <see cref="ArgumentNullException"/> naming <paramref name="argument"/>.</summary>
    internal Tensor Require(string argument) => Tensor ?? throw new ArgumentNullException(argument);
}
