using KerasNotes.Kernels;

namespace KerasNotes;

/// <summary>
/// One optimizer step's variable updates as plain data: one <see cref="UpdateRule"/> and the weight decay factor,
/// then per variable its gradient, its values, its slots (in the rule's order) and whether weight decay applies.
/// <see cref="Ops.ApplyUpdates"/> runs it over the kernel threads.
/// </summary>
/// <remarks>
/// The variables are laid end to end as one range of <see cref="Total"/> elements; a part of that range updates each
/// of its elements with decoupled weight decay (<c>w ← w − (w·wd)·lr</c>) and then the rule. Every element is updated
/// by exactly one part with the same arithmetic, so the result does not depend on the split. An optimizer keeps one
/// plan and refills it every step, so a step allocates nothing.
/// </remarks>
internal sealed class UpdatePlan : IRangeBody
{
    private readonly List<Entry> _entries = [];

    /// <summary>The rule every entry is updated with.</summary>
    public UpdateRule Rule { get; private set; }

    /// <summary>The decoupled weight decay factor for entries that decay.</summary>
    public float WeightDecay { get; private set; }

    /// <summary>How many elements the entries hold together.</summary>
    public long Total { get; private set; }

    /// <summary>Empties the plan and sets the rule and weight decay of the next step.</summary>
    public void Begin(UpdateRule rule, float weightDecay)
    {
        Clear();
        Rule = rule;
        WeightDecay = weightDecay;
    }

    /// <summary>Adds one variable: its gradient, its values and up to three slots (null where the rule has fewer).</summary>
    public void Add(Tensor gradient, Tensor variable, Tensor? slot0, Tensor? slot1, Tensor? slot2, bool decay)
    {
        _entries.Add(new Entry(gradient, variable, slot0, slot1, slot2, decay));
        Total += gradient.Size;
    }

    /// <summary>Drops the references to the step's tensors.</summary>
    public void Clear()
    {
        _entries.Clear();
        Total = 0;
    }

    /// <inheritdoc />
    void IRangeBody.Run(long start, long end)
    {
        var rule = Rule;
        long position = 0;
        foreach (var e in _entries)
        {
            long size = e.Gradient.Size;
            long first = Math.Max(start, position), last = Math.Min(end, position + size);
            if (first < last)
            {
                int offset = (int)(first - position), length = (int)(last - first);
                var w = e.Variable.Span.Slice(offset, length);
                if (e.Decay)
                {
                    OptimizerKernels.DecoupledWeightDecay(w, WeightDecay, rule.LearningRate);
                }

                OptimizerKernels.Apply(
                    rule, e.Gradient.AsSpan().Slice(offset, length), w,
                    SliceOf(e.Slot0, offset, length), SliceOf(e.Slot1, offset, length), SliceOf(e.Slot2, offset, length));
            }

            position += size;
        }
    }

    private static Span<float> SliceOf(Tensor? slot, int offset, int length) => slot is null ? default : slot.Span.Slice(offset, length);

    private readonly record struct Entry(Tensor Gradient, Tensor Variable, Tensor? Slot0, Tensor? Slot1, Tensor? Slot2, bool Decay);
}
