using KerasNotes.Models;

namespace KerasNotes.Saving;

/// <summary>
/// Everything a load will write into a model, read and validated in full before anything is assigned: a failed
/// load therefore leaves the model exactly as it was.
/// </summary>
internal sealed class WeightStage
{
    public List<(Variable Target, float[] Data)> Weights { get; } = [];

    public OptimizerState? Optimizer { get; set; }

    /// <summary>Generator states (xoshiro256** words and counter) by owner: <c>"fit_shuffle"</c> or a layer name.</summary>
    public Dictionary<string, ulong[]> RandomStates { get; } = new(StringComparer.Ordinal);

    /// <summary>Writes the staged values into <paramref name="model"/>. Nothing here can fail on file content.</summary>
    public void Apply(Model model)
    {
        foreach (var (target, data) in Weights)
        {
            target.Assign(Tensor.FromSpan(data, target.Shape));
        }

        if (Optimizer is { } state && model.Optimizer is { } optimizer)
        {
            if (!optimizer.IsBuilt)
            {
                optimizer.Build(model.TrainableForStep);
            }

            optimizer.Iterations = state.Iterations;
            if (state.LearningRate is float lr && optimizer.Schedule is null)
            {
                optimizer.LearningRate = lr;
            }

            var slots = optimizer.SlotVariables;
            for (int i = 0; i < slots.Count; i++)
            {
                slots[i].Assign(Tensor.FromSpan(state.Slots[i], slots[i].Shape));
            }
        }

        model.RestoreRandomStates(RandomStates);
    }
}

/// <summary>The saved state of an optimizer: iteration count, learning rate, slots in Keras order.</summary>
internal sealed record OptimizerState(long Iterations, float? LearningRate, IReadOnlyList<float[]> Slots);
