using KerasNotes.Serialization;

namespace KerasNotes.Losses;

/// <summary>
/// <c>loss="crossentropy"</c>: binary, sparse or categorical crossentropy, picked from the shapes of the
/// first batch by the same rule as <c>metrics=["accuracy"]</c>.
/// </summary>
internal sealed class ShapeResolvedCrossentropy(string name) : Loss(name)
{
    private Loss? _resolved;

    // Which crossentropy applies is known only from the first batch's shapes, so nothing is checked up front.
    protected internal override void ValidateTargets(Tensor yTrue, Shape predictionShape, string argumentName)
    {
    }

    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        _resolved ??= yPred.Shape[-1] == 1
            ? new BinaryCrossentropy()
            : yTrue.Rank < yPred.Rank || (yTrue.Shape[-1] == 1 && yPred.Shape[-1] > 1)
                ? new SparseCategoricalCrossentropy()
                : new CategoricalCrossentropy();
        return _resolved.Call(yTrue, yPred);
    }

    // Keras's loss="crossentropy" / "ce", in any case (compile checks str(identifier).lower()): the name is kept as typed.
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Register() => Table.AddNamesAnyCase(name => new ShapeResolvedCrossentropy(name), "crossentropy", "ce");
}
