using System.Runtime.CompilerServices;
using KerasNotes.Regularizers;

namespace KerasNotes.Layers;

/// <summary>
/// Which regularizer a layer's weight was created with (Keras sets <c>variable.regularizer</c> in
/// <c>add_weight</c>). Kept beside the layers rather than on <see cref="Variable"/>, so the tensor core does not
/// depend on the regularizers written on top of it; the table holds no variable alive.
/// </summary>
internal static class WeightPenalties
{
    private static readonly ConditionalWeakTable<Variable, Regularizer> s_regularizers = [];

    /// <summary>Records <paramref name="regularizer"/> for <paramref name="variable"/>.</summary>
    public static void Set(Variable variable, Regularizer regularizer) => s_regularizers.AddOrUpdate(variable, regularizer);

    /// <summary>The regularizer <paramref name="variable"/> was created with, or null.</summary>
    public static Regularizer? Of(Variable variable) => s_regularizers.TryGetValue(variable, out var r) ? r : null;
}
