using System.Runtime.CompilerServices;

namespace KerasNotes.Models;

/// <summary>
/// The <c>lossWeights</c> argument of <c>Compile</c> (Keras's <c>loss_weights</c>): the factor each output's loss is
/// multiplied by before the losses are summed — one number (for one loss, applied to every output), a list in output
/// order (<c>[1.0, 0.2]</c>), or a dictionary keyed by <see cref="Model.OutputNames"/>.
/// </summary>
[CollectionBuilder(typeof(LossWeightsSpec), nameof(Create))]
public readonly struct LossWeightsSpec
{
    private readonly double[]? _weights;
    private readonly string[]? _names;
    private readonly bool _one;

    private LossWeightsSpec(double[] weights, string[]? names, bool one)
    {
        _weights = weights;
        _names = names;
        _one = one;
    }

    /// <summary>How many weights were given.</summary>
    public int Count => _weights?.Length ?? 0;

    /// <summary>True for one number (not a list or a dictionary).</summary>
    internal bool IsOne => _one;

    /// <summary>The output names of a dictionary, in its order; null otherwise.</summary>
    internal IReadOnlyList<string>? Names => _names;

    /// <summary>The weight at <paramref name="index"/>.</summary>
    internal double this[int index] => _weights![index];

    /// <summary>One weight per output, in output order (what a collection expression <c>[1.0, 0.5]</c> builds).</summary>
    public static LossWeightsSpec Create(ReadOnlySpan<double> weights) => new(weights.ToArray(), null, false);

    /// <summary>The weights as given.</summary>
    public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)(_weights ?? [])).GetEnumerator();

    /// <summary>One weight (for one loss: every output's).</summary>
    public static implicit operator LossWeightsSpec(double weight) => new([weight], null, true);

    /// <summary>One weight per output, in output order.</summary>
    public static implicit operator LossWeightsSpec(double[] weights) =>
        new((double[])(weights ?? throw new ArgumentNullException(nameof(weights))).Clone(), null, false);

    /// <summary>One weight per output, in output order.</summary>
    public static implicit operator LossWeightsSpec(List<double> weights) =>
        new([.. weights ?? throw new ArgumentNullException(nameof(weights))], null, false);

    /// <summary>Weights by output name.</summary>
    public static implicit operator LossWeightsSpec(Dictionary<string, double> weights) => FromNames(weights);

    /// <summary>Weights by output name (the dictionary is copied, in its order).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    public static LossWeightsSpec FromNames(IReadOnlyDictionary<string, double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var pairs = weights.ToArray();
        return new(Array.ConvertAll(pairs, p => p.Value), Array.ConvertAll(pairs, p => p.Key), false);
    }

    /// <summary>Named alternative to the conversion from one number.</summary>
    public static LossWeightsSpec FromDouble(double weight) => weight;

    /// <summary>Named alternative to the conversion from a list.</summary>
    public static LossWeightsSpec FromList(IReadOnlyList<double> weights) =>
        new([.. weights ?? throw new ArgumentNullException(nameof(weights))], null, false);
}
