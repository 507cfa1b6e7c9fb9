using KerasNotes.Data;

namespace KerasNotes.Models;

/// <summary>
/// Held-out data that <c>Fit</c> evaluates after each epoch (Keras <c>validation_data</c>): pass a tuple
/// <c>(x, y)</c> or <c>(x, y, sampleWeight)</c> — of tensors, or, for a model with several inputs or outputs, of
/// <see cref="ArrayGroup"/>s (<c>([xa, xb], [ya, yb])</c>, in order or by name).
/// </summary>
public sealed class ValidationData
{
    /// <summary>Creates validation data.</summary>
    public ValidationData(Tensor x, Tensor y, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Inputs = x;
        Targets = y;
        SampleWeights = sampleWeight is null ? null : (ArrayGroup?)(ArrayGroup)sampleWeight;
    }

    /// <summary>Creates validation data for a model with several inputs or outputs.</summary>
    /// <param name="x">One array per input, in input order or by input name.</param>
    /// <param name="y">One target array per output, in output order or by output name.</param>
    /// <param name="sampleWeight">Weights as <c>Fit</c>'s <c>sampleWeight</c> takes them, or null.</param>
    public ValidationData(ArrayGroup x, ArrayGroup y, ArrayGroup? sampleWeight = null)
    {
        Inputs = x;
        Targets = y;
        SampleWeights = sampleWeight;
    }

    /// <summary>The inputs, when there is one array (otherwise see <see cref="Inputs"/>).</summary>
    /// <exception cref="InvalidOperationException">The inputs are several arrays.</exception>
    public Tensor X => Lone(Inputs, nameof(Inputs));

    /// <summary>The targets, when there is one array (otherwise see <see cref="Targets"/>).</summary>
    /// <exception cref="InvalidOperationException">The targets are several arrays.</exception>
    public Tensor Y => Lone(Targets, nameof(Targets));

    /// <summary>Per-sample weights when given as one array, or null.</summary>
    /// <exception cref="InvalidOperationException">The weights are several arrays (see <see cref="SampleWeights"/>).</exception>
    public Tensor? SampleWeight => SampleWeights is { } w ? Lone(w, nameof(SampleWeights)) : null;

    /// <summary>The inputs: one array per input.</summary>
    public ArrayGroup Inputs { get; }

    /// <summary>The targets: one array per output.</summary>
    public ArrayGroup Targets { get; }

    /// <summary>The sample weights, or null.</summary>
    public ArrayGroup? SampleWeights { get; }

    /// <summary>From <c>(x, y)</c>.</summary>
    public static implicit operator ValidationData((Tensor X, Tensor Y) data) => new(data.X, data.Y);

    /// <summary>From <c>(x, y, sampleWeight)</c>.</summary>
    public static implicit operator ValidationData((Tensor X, Tensor Y, Tensor SampleWeight) data) => new(data.X, data.Y, data.SampleWeight);

    /// <summary>From <c>(x, y)</c> with several inputs or outputs: <c>([xa, xb], [ya, yb])</c>.</summary>
    public static implicit operator ValidationData((ArrayGroup X, ArrayGroup Y) data) => new(data.X, data.Y);

    /// <summary>From <c>(x, y, sampleWeight)</c> with several inputs or outputs.</summary>
    public static implicit operator ValidationData((ArrayGroup X, ArrayGroup Y, ArrayGroup SampleWeight) data) => new(data.X, data.Y, data.SampleWeight);

    /// <summary>Named alternative to the tuple conversion.</summary>
    public static ValidationData FromTuple((Tensor X, Tensor Y) data) => data;

    /// <summary>Named alternative to the tuple conversion of groups.</summary>
    public static ValidationData FromGroups((ArrayGroup X, ArrayGroup Y) data) => data;

    private static Tensor Lone(ArrayGroup group, string property) =>
        group.Count == 1 && !group.IsByName && group[0].Tensor is { } t
            ? t
            : throw new InvalidOperationException($"The validation data holds {group.Count} arrays here; read {property}.");
}
