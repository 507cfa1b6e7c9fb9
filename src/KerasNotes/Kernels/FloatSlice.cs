namespace KerasNotes.Kernels;

/// <summary>
/// A stretch of a float array: what a kernel split over the worker threads keeps in its job object, since a
/// span cannot live on the heap.
/// </summary>
internal readonly record struct FloatSlice(float[] Array, int Offset, int Length)
{
    /// <summary>The values.</summary>
    public Span<float> Span => Array is null ? default : new(Array, Offset, Length);
}
