using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace KerasNotes.Data;

/// <summary>
/// The arrays for a model with several inputs or outputs (what Keras takes as a list or a dict of arrays): one per
/// input (or output), <b>in order</b> — write a collection expression, <c>model.Fit([images, hints], [labels, footwear])</c> —
/// or <b>by name</b>: a <c>Dictionary&lt;string, ArrayLike&gt;</c> keyed by the model's <c>InputNames</c> (or
/// <c>OutputNames</c>). Each array is anything <see cref="ArrayLike"/> accepts; a single array converts to a group of one.
/// </summary>
/// <example><code>
/// model.Fit([images, hints], [labels, footwear], epochs: 5);
/// model.Fit(new Dictionary&lt;string, ArrayLike&gt; { ["pixels"] = images, ["hint"] = hints }, [labels, footwear]);
/// IReadOnlyList&lt;Tensor&gt; outputs = model.Predict([images, hints]);
/// </code></example>
[CollectionBuilder(typeof(ArrayGroup), nameof(Create))]
public readonly struct ArrayGroup
{
    private readonly ArrayLike[]? _arrays;
    private readonly string[]? _names;
    private readonly bool _lone;

    private ArrayGroup(ArrayLike[] arrays, string[]? names, bool lone = false)
    {
        _arrays = arrays;
        _names = names;
        _lone = lone;
    }

    /// <summary>How many arrays the group holds.</summary>
    public int Count => _arrays?.Length ?? 0;

    /// <summary>True when the arrays are given by name (a dictionary), false when in order.</summary>
    public bool IsByName => _names is not null;

    /// <summary>The names of a group given by name, in the dictionary's order; empty for a group in order.</summary>
    public IReadOnlyList<string> Names => _names ?? [];

    /// <summary>The array at <paramref name="index"/> (in order, or in the dictionary's order for a group by name).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No array has that index.</exception>
    public ArrayLike this[int index] =>
        (uint)index < (uint)Count ? _arrays![index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"The group holds {Count} arrays.");

    /// <summary>Arrays in order (what a collection expression <c>[a, b]</c> builds).</summary>
    public static ArrayGroup Create(ReadOnlySpan<ArrayLike> arrays) => new(arrays.ToArray(), null);

    /// <summary>The arrays, in order.</summary>
    public IEnumerator<ArrayLike> GetEnumerator() => ((IEnumerable<ArrayLike>)(_arrays ?? [])).GetEnumerator();

    /// <summary>Arrays in order (copied into the group).</summary>
    public static implicit operator ArrayGroup(ArrayLike[]? arrays) => arrays is null ? default : new((ArrayLike[])arrays.Clone(), null);

    /// <summary>Arrays in order (copied into the group).</summary>
    public static implicit operator ArrayGroup(List<ArrayLike>? arrays) => arrays is null ? default : new([.. arrays], null);

    /// <summary>Tensors in order.</summary>
    public static implicit operator ArrayGroup(Tensor[]? tensors) => tensors is null ? default : new(Array.ConvertAll(tensors, t => (ArrayLike)t), null);

    /// <summary>Arrays by name: input names for inputs, output names for targets and sample weights.</summary>
    public static implicit operator ArrayGroup(Dictionary<string, ArrayLike>? arrays) => arrays is null ? default : FromNames(arrays);

    /// <summary>One array: a group of one.</summary>
    public static implicit operator ArrayGroup(ArrayLike array) => new([array], null, lone: true);

    /// <summary>One tensor: a group of one.</summary>
    public static implicit operator ArrayGroup(Tensor? tensor) => new([tensor], null, lone: true);

    /// <summary>One 2-D array: a group of one.</summary>
    public static implicit operator ArrayGroup(float[,]? array) => new([array], null, lone: true);

    /// <summary>One jagged array: a group of one.</summary>
    public static implicit operator ArrayGroup(float[][]? rows) => new([rows], null, lone: true);

    /// <summary>One vector: a group of one.</summary>
    public static implicit operator ArrayGroup(float[]? values) => new([values], null, lone: true);

    /// <summary>One array of class labels: a group of one.</summary>
    public static implicit operator ArrayGroup(int[]? labels) => new([labels], null, lone: true);

    /// <summary>One MathNet matrix: a group of one.</summary>
    public static implicit operator ArrayGroup(Matrix<float>? matrix) => new([matrix], null, lone: true);

    /// <summary>Arrays by name (the dictionary is copied, in its order).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/> is null.</exception>
    public static ArrayGroup FromNames(IReadOnlyDictionary<string, ArrayLike> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var names = new string[arrays.Count];
        var values = new ArrayLike[arrays.Count];
        int i = 0;
        foreach (var (name, value) in arrays)
        {
            if (i == names.Length)
            {
                throw new ArgumentException("The dictionary changed while it was read.", nameof(arrays));
            }

            names[i] = name;
            values[i++] = value;
        }

        return i == names.Length ? new(values, names) : throw new ArgumentException("The dictionary changed while it was read.", nameof(arrays));
    }

    /// <summary>Named alternative to the conversion from an array of arrays.</summary>
    public static ArrayGroup FromArrays(ArrayLike[] arrays) => arrays;

    /// <summary>Named alternative to the conversion from a list.</summary>
    public static ArrayGroup FromList(List<ArrayLike> arrays) => arrays;

    /// <summary>Named alternative to the conversion from tensors.</summary>
    public static ArrayGroup FromTensors(Tensor[] tensors) => tensors;

    /// <summary>Named alternative to the conversion from a dictionary.</summary>
    public static ArrayGroup FromDictionary(Dictionary<string, ArrayLike> arrays) => arrays;

    /// <summary>Named alternative to the conversion from one array.</summary>
    public static ArrayGroup FromArrayLike(ArrayLike array) => array;

    /// <summary>Named alternative to the conversion from one tensor.</summary>
    public static ArrayGroup FromTensor(Tensor tensor) => tensor;

    /// <summary>Named alternative to the conversion from one 2-D array.</summary>
    public static ArrayGroup FromArray(float[,] array) => array;

    /// <summary>Named alternative to the conversion from one jagged array.</summary>
    public static ArrayGroup FromJagged(float[][] rows) => rows;

    /// <summary>Named alternative to the conversion from one vector.</summary>
    public static ArrayGroup FromVector(float[] values) => values;

    /// <summary>Named alternative to the conversion from labels.</summary>
    public static ArrayGroup FromLabels(int[] labels) => labels;

    /// <summary>Named alternative to the conversion from a MathNet matrix.</summary>
    public static ArrayGroup FromMatrix(Matrix<float> matrix) => matrix;

    /// <summary>The name of entry <paramref name="index"/> for messages: <c>x</c> for a lone array, <c>x[1]</c> or <c>x["pixels"]</c>.</summary>
    internal string Describe(string argument, int index) =>
        _lone ? argument : _names is not null ? $"{argument}[\"{_names[index]}\"]" : $"{argument}[{index}]";

    /// <summary>True for a group made from one array passed alone (not a list of one).</summary>
    internal bool IsLone => _lone;

    /// <summary>The name of entry <paramref name="index"/> (null for a group in order).</summary>
    internal string? NameAt(int index) => _names?[index];
}
