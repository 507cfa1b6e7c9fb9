using KerasNotes.Callbacks;

namespace KerasNotes.Plotting;

/// <summary>
/// The epoch number under each logged value, counted from 1 as Keras's progress bar counts them ("Epoch 1/10") and
/// as EarlyStopping's messages do, while <see cref="History.Epochs"/> and <see cref="EarlyStopping"/>'s properties
/// count from 0.
/// </summary>
/// <remarks>
/// A key's values end at the last epoch that ran, so they are placed right-aligned on it: a key that first appeared
/// in a later epoch starts later. A History passed to several <c>Fit</c> calls holds the values of all of them but
/// only the last call's epoch numbers; when the values outnumber the epochs up to the last one (calls that each
/// started at epoch 0), the axis is shifted to count every logged epoch, and markers shift with it.
/// </remarks>
internal sealed class EpochAxis
{
    private readonly int _last;

    /// <summary>Lays out the axis for the keys of <paramref name="history"/> that will be drawn.</summary>
    public EpochAxis(History history, IEnumerable<string> keys)
    {
        int lastEpoch = history.Epochs.Count > 0 ? history.Epochs[^1] : -1;
        int longest = keys.Max(k => history[k].Count);
        Shift = Math.Max(0, longest - (lastEpoch + 1));
        _last = lastEpoch + 1 + Shift;
        First = _last - longest + 1;
    }

    /// <summary>How many epochs the numbering was moved on to fit values logged before the last Fit's epochs.</summary>
    public int Shift { get; }

    /// <summary>The first epoch number on the axis (≥ 1).</summary>
    public int First { get; }

    /// <summary>The last epoch number on the axis.</summary>
    public int Last => _last;

    /// <summary>The epoch numbers of <paramref name="count"/> values that end at the last epoch.</summary>
    public double[] For(int count)
    {
        var xs = new double[count];
        for (int i = 0; i < count; i++)
        {
            xs[i] = _last - (count - 1 - i);
        }

        return xs;
    }

    /// <summary>The number shown for the 0-based epoch <paramref name="epoch"/> of the last Fit.</summary>
    public int Display(int epoch) => epoch + 1 + Shift;
}
