using System.Runtime.CompilerServices;
using KerasNotes.Losses;

namespace KerasNotes.Models;

/// <summary>
/// The <c>loss</c> argument of <c>Compile</c> (Keras's <c>loss</c>): one loss — a <see cref="Loss"/>, a
/// <see cref="LossFunction"/> or a Keras name — applied to every output, or one per output: a list in output order
/// (<c>["mse", "binary_crossentropy"]</c>, <c>null</c> for an output without a loss) or a dictionary keyed by
/// <see cref="Model.OutputNames"/> (every output name, as Keras requires; <c>null</c> values for no loss).
/// </summary>
/// <example><code>
/// model.Compile("adam", loss: ["sparse_categorical_crossentropy", "binary_crossentropy"], lossWeights: [1.0, 0.5]);
/// model.Compile("adam", loss: new Dictionary&lt;string, LossSpec?&gt; { ["class"] = "sparse_categorical_crossentropy", ["footwear"] = "binary_crossentropy" });
/// </code></example>
[CollectionBuilder(typeof(LossesSpec), nameof(Create))]
public readonly struct LossesSpec
{
    private readonly LossSpec?[]? _losses;
    private readonly string[]? _names;
    private readonly bool _one;

    private LossesSpec(LossSpec?[] losses, string[]? names, bool one)
    {
        _losses = losses;
        _names = names;
        _one = one;
    }

    /// <summary>How many losses were given (1 for one loss applied to every output).</summary>
    public int Count => _losses?.Length ?? 0;

    /// <summary>True for <c>default(LossesSpec)</c>: no loss.</summary>
    internal bool IsDefault => _losses is null;

    /// <summary>True for one loss applied to every output (not a list or a dictionary).</summary>
    internal bool IsOne => _one;

    /// <summary>The output names of a dictionary, in its order; null for one loss or a list.</summary>
    internal IReadOnlyList<string>? Names => _names;

    /// <summary>The loss at <paramref name="index"/> (null where an output has none).</summary>
    internal LossSpec? this[int index] => _losses![index];

    /// <summary>One loss per output, in output order (what a collection expression <c>["mse", null]</c> builds).</summary>
    public static LossesSpec Create(ReadOnlySpan<LossSpec?> losses) => new(losses.ToArray(), null, false);

    /// <summary>The losses as given (one, or one per output).</summary>
    public IEnumerator<LossSpec?> GetEnumerator() => ((IEnumerable<LossSpec?>)(_losses ?? [])).GetEnumerator();

    /// <summary>One loss for every output.</summary>
    public static implicit operator LossesSpec(LossSpec loss) => new([loss], null, true);

    /// <summary>One loss object for every output.</summary>
    public static implicit operator LossesSpec(Loss loss) => (LossSpec)loss;

    /// <summary>One loss function for every output.</summary>
    public static implicit operator LossesSpec(LossFunction function) => (LossSpec)function;

    /// <summary>One Keras loss name for every output.</summary>
    public static implicit operator LossesSpec(string name) => (LossSpec)name;

    /// <summary>One loss per output, in output order (null for no loss).</summary>
    public static implicit operator LossesSpec(LossSpec?[] losses) =>
        new((LossSpec?[])(losses ?? throw new ArgumentNullException(nameof(losses))).Clone(), null, false);

    /// <summary>One Keras loss name per output, in output order (null for no loss).</summary>
    public static implicit operator LossesSpec(string?[] names) =>
        new(Array.ConvertAll(names ?? throw new ArgumentNullException(nameof(names)), n => n is null ? (LossSpec?)null : n), null, false);

    /// <summary>One loss per output, in output order.</summary>
    public static implicit operator LossesSpec(LossSpec[] losses) =>
        new(Array.ConvertAll(losses ?? throw new ArgumentNullException(nameof(losses)), l => (LossSpec?)l), null, false);

    /// <summary>One loss per output, in output order (null for no loss).</summary>
    public static implicit operator LossesSpec(List<LossSpec?> losses) =>
        new([.. losses ?? throw new ArgumentNullException(nameof(losses))], null, false);

    /// <summary>Losses by output name (null for no loss); every output must be named.</summary>
    public static implicit operator LossesSpec(Dictionary<string, LossSpec?> losses) => FromNames(losses);

    /// <summary>Losses by output name; every output must be named.</summary>
    public static implicit operator LossesSpec(Dictionary<string, LossSpec> losses) =>
        FromNames((losses ?? throw new ArgumentNullException(nameof(losses))).ToDictionary(p => p.Key, p => (LossSpec?)p.Value, StringComparer.Ordinal));

    /// <summary>Losses by output name (the dictionary is copied, in its order); null values for outputs without a loss.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="losses"/> is null.</exception>
    public static LossesSpec FromNames(IReadOnlyDictionary<string, LossSpec?> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var pairs = losses.ToArray();
        return new(Array.ConvertAll(pairs, p => p.Value), Array.ConvertAll(pairs, p => p.Key), false);
    }

    /// <summary>Named alternative to the conversion from one loss.</summary>
    public static LossesSpec FromLossSpec(LossSpec loss) => loss;

    /// <summary>Named alternative to the conversion from one loss object.</summary>
    public static LossesSpec FromLoss(Loss loss) => loss;

    /// <summary>Named alternative to the conversion from one loss function.</summary>
    public static LossesSpec FromFunction(LossFunction function) => function;

    /// <summary>Named alternative to the conversion from one loss name.</summary>
    public static LossesSpec FromName(string name) => name;

    /// <summary>Named alternative to the conversion from loss names.</summary>
    public static LossesSpec FromNamesInOrder(string?[] names) => names;

    /// <summary>Named alternative to the conversion from a list of losses.</summary>
    public static LossesSpec FromList(IReadOnlyList<LossSpec?> losses) =>
        new([.. losses ?? throw new ArgumentNullException(nameof(losses))], null, false);
}
