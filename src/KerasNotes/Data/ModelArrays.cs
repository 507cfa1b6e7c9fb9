namespace KerasNotes.Data;

/// <summary>
/// The arrays of one call, matched to the model: one per input, one target per output (null where an output takes
/// none), one sample weight per output (null where it has none), each with the argument name messages use
/// (<c>x</c>, <c>x[1]</c>, <c>y["dense_1"]</c>…). A model with one input and one output is the 1-element case.
/// </summary>
internal sealed class ModelArrays
{
    public ModelArrays(
        Tensor[] x, string[] xNames, Tensor?[]? y, string[] yNames, Tensor?[]? w, string[] wNames, (string X, string Y, string W) arguments)
    {
        X = x;
        XNames = xNames;
        Y = y;
        YNames = yNames;
        W = w;
        WNames = wNames;
        Arguments = arguments;
    }

    /// <summary>One array per input, in input order.</summary>
    public Tensor[] X { get; }

    /// <summary>The argument name of each input array.</summary>
    public string[] XNames { get; }

    /// <summary>One target per output (null entries where an output takes none), or null when there are no targets (Predict).</summary>
    public Tensor?[]? Y { get; }

    /// <summary>The argument name of each target.</summary>
    public string[] YNames { get; }

    /// <summary>One sample weight per output (null entries where none), or null when no weights were given.</summary>
    public Tensor?[]? W { get; }

    /// <summary>The argument name of each sample weight.</summary>
    public string[] WNames { get; }

    /// <summary>The arguments the groups came from (<c>x</c>, <c>y</c>, <c>sampleWeight</c>, or the validation data's).</summary>
    public (string X, string Y, string W) Arguments { get; }

    /// <summary>The number of samples (of the first input).</summary>
    public int Samples => X[0].Shape[0];

    /// <summary>True when there is one input, at most one target and at most one weight (the Sequential case).</summary>
    public bool IsSingle => X.Length == 1 && (Y is null || Y.Length == 1) && (W is null || W.Length == 1);

    /// <summary>One input, target and weight under the plain argument names <c>x</c>, <c>y</c>, <c>sampleWeight</c>.</summary>
    public static ModelArrays Single(Tensor x, Tensor? y, Tensor? w, string xName = "x", string yName = "y", string wName = "sampleWeight") =>
        new([x], [xName], y is null ? null : [y], [yName], w is null ? null : [w], [wName], (xName, yName, wName));

    /// <summary>Rows [start, start + count) of every array (views, no copy).</summary>
    public ModelArrays Slice(int start, int count) => new(
        Array.ConvertAll(X, t => t.SliceRows(start, count)),
        XNames,
        Y is null ? null : Array.ConvertAll(Y, t => t?.SliceRows(start, count)),
        YNames,
        W is null ? null : Array.ConvertAll(W, t => t?.SliceRows(start, count)),
        WNames,
        Arguments);

    /// <summary>The same arrays with other sample weights.</summary>
    public ModelArrays WithWeights(Tensor?[]? w) => new(X, XNames, Y, YNames, w, WNames, Arguments);
}
