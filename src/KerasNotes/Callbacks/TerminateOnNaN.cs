namespace KerasNotes.Callbacks;

/// <summary>
/// Stops training as soon as the loss becomes NaN or infinite (Keras <c>TerminateOnNaN</c>).
/// </summary>
/// <remarks>
/// It looks at the running <c>loss</c> after every training batch. By default it sets
/// <c>StopTraining</c> (the epoch still ends: validation and epoch-end hooks run); with
/// <c>raiseError: true</c> it throws at once, with no cleanup hooks.
/// </remarks>
public sealed class TerminateOnNaN(bool raiseError = false) : Callback
{
    /// <summary>Whether a bad loss throws instead of stopping cleanly.</summary>
    public bool RaiseError { get; } = raiseError;

    /// <inheritdoc />
    public override void OnBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        if (logs is null || !logs.TryGetValue("loss", out double loss) || double.IsFinite(loss))
        {
            return;
        }

        if (RaiseError)
        {
            throw new InvalidOperationException(
                $"NaN or Inf loss encountered at batch {batch}. Loss value: {PythonFloat.Repr(loss)}. Terminating training immediately.");
        }

        Print($"Batch {batch}: Invalid loss, terminating training");
        Model!.StopTraining = true;
    }
}
