namespace KerasNotes;

/// <summary>Computes the gradients of a node's inputs from the gradient of its output.</summary>
internal delegate void BackwardFn(TapeNode node, Tensor upstream);

/// <summary>
/// One recorded op: its output, its inputs, what its backward pass needs, and the backward
/// function itself. Nodes are reused from step to step by the tape, and backward functions
/// are static lambdas, so recording allocates nothing in steady state.
/// </summary>
internal sealed class TapeNode
{
    public TapeNode(GradientTape tape)
    {
        Tape = tape;
        Output = null!;
        Backward = null!;
    }

    public GradientTape Tape { get; }

    public int Generation;
    public Tensor Output;
    public BackwardFn Backward;

    // Inputs (up to three; ops with more use Inputs).
    public Tensor? A;
    public Tensor? B;
    public Tensor? C;
    public Tensor[]? Inputs;

    // State an op saves for its backward pass.
    public Tensor? Saved0;
    public Tensor? Saved1;
    public Tensor? Saved2;
    public float F0;
    public float F1;
    public int I0;
    public int I1;
    public int[]? Ints;
    public object? State;

    /// <summary>True if the gradient of <paramref name="input"/> is wanted.</summary>
    public bool Needs(Tensor? input) => Tape.IsTracked(input);

    /// <summary>Adds a gradient contribution to <paramref name="input"/>.</summary>
    public void Accumulate(Tensor? input, Tensor grad) => Tape.Accumulate(input, grad);

    public void Clear()
    {
        if (Output is not null && ReferenceEquals(Output.Node, this))
        {
            Output.Node = null;
        }

        Output = null!;
        Backward = null!;
        A = B = C = null;
        Inputs = null;
        Saved0 = Saved1 = Saved2 = null;
        F0 = F1 = 0;
        I0 = I1 = 0;
        Ints = null;
        State = null;
    }
}
