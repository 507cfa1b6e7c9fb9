using KerasNotes.Callbacks;
using KerasNotes.Models;

namespace KerasNotes.Tests.TestSupport;

/// <summary>Records what the trajectory fixtures compare: the running loss after each batch and every weight after each epoch.</summary>
internal sealed class FitRecorder(Model model) : Callback
{
    public List<List<double>> BatchLosses { get; } = [];

    public List<Dictionary<string, float[]>> Weights { get; } = [];

    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null) => BatchLosses.Add([]);

    public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null) => BatchLosses[^1].Add(logs!["loss"]);

    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null) =>
        Weights.Add(model.Weights.ToDictionary(v => v.Path, v => v.ToArray()));

    /// <summary>Each batch's own loss in <paramref name="epoch"/>, recovered from Keras's running means weighted by batch size.</summary>
    public double[] BatchLossesOf(int epoch, IReadOnlyList<int> sizes)
    {
        var running = BatchLosses[epoch];
        var result = new double[running.Count];
        double seen = 0, previous = 0;
        for (int b = 0; b < running.Count; b++)
        {
            result[b] = ((running[b] * (seen + sizes[b])) - (previous * seen)) / sizes[b];
            seen += sizes[b];
            previous = running[b];
        }

        return result;
    }
}
