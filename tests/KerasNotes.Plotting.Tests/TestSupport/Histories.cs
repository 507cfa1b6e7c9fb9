using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Plotting.Tests.TestSupport;

/// <summary>Histories and callbacks fed by hand, as Fit would feed them, so no test has to train.</summary>
public static class Histories
{
    /// <summary>A History of <paramref name="epochs"/> epochs with loss, val_loss, accuracy and val_accuracy.</summary>
    public static History Typical(int epochs = 10, int firstEpoch = 0)
    {
        var history = new History();
        history.OnTrainBegin();
        for (int e = firstEpoch; e < firstEpoch + epochs; e++)
        {
            int i = e - firstEpoch;
            history.OnEpochEnd(e, new Dictionary<string, double>
            {
                ["loss"] = 1.0 / (1 + i),
                ["accuracy"] = 0.5 + (0.04 * i),
                ["val_loss"] = 1.1 / (1 + (0.8 * i)) + (0.01 * i),
                ["val_accuracy"] = 0.48 + (0.035 * i),
            });
        }

        return history;
    }

    /// <summary>A History with the given values of one key per epoch.</summary>
    public static History Of(string key, params double[] values)
    {
        var history = new History();
        history.OnTrainBegin();
        for (int e = 0; e < values.Length; e++)
        {
            history.OnEpochEnd(e, new Dictionary<string, double> { [key] = values[e] });
        }

        return history;
    }

    /// <summary>
    /// An EarlyStopping on val_loss driven through <paramref name="valLoss"/> (one value per epoch) until it stops,
    /// restoring the best weights at the end; also returns the History of the same epochs.
    /// </summary>
    public static (History History, EarlyStopping Stop) Stopped(int patience, params double[] valLoss)
    {
        var model = new Sequential(new Input(1), new Dense(1));
        var stop = new EarlyStopping(monitor: "val_loss", patience: patience, restoreBestWeights: true);
        var history = new History();
        stop.SetModel(model);
        stop.OnTrainBegin();
        history.OnTrainBegin();
        for (int e = 0; e < valLoss.Length && !model.StopTraining; e++)
        {
            var logs = new Dictionary<string, double> { ["loss"] = valLoss[e] * 0.9, ["val_loss"] = valLoss[e] };
            history.OnEpochEnd(e, logs);
            stop.OnEpochEnd(e, logs);
        }

        stop.OnTrainEnd();
        return (history, stop);
    }
}
