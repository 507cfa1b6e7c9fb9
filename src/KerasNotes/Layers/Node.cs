namespace KerasNotes.Layers;

/// <summary>
/// One call of a layer on symbolic tensors (Keras <c>Node</c>): which tensors went in, in which form, and which came
/// out. A layer called twice has two nodes and one set of weights.
/// </summary>
internal sealed class Node
{
    internal Node(Layer layer, int index, KerasTensor[] inputs, bool listCall)
    {
        Layer = layer;
        Index = index;
        Inputs = inputs;
        ListCall = listCall;
    }

    /// <summary>The layer that was called.</summary>
    public Layer Layer { get; }

    /// <summary>The node's position among the layer's calls (Keras <c>layer._inbound_nodes.index(node)</c>).</summary>
    public int Index { get; }

    /// <summary>The tensors the layer was called on; empty for an <see cref="Input"/>'s own node.</summary>
    public KerasTensor[] Inputs { get; }

    /// <summary>True when the layer was called with a list (<c>layer([a, b])</c>, as merge layers are) rather than one tensor.</summary>
    public bool ListCall { get; }

    /// <summary>The tensors the call produced (set once, right after the node is made).</summary>
    public KerasTensor[] Outputs { get; internal set; } = [];

    /// <summary>True for the node an <see cref="Input"/> makes for itself.</summary>
    public bool IsInput => Inputs.Length == 0;
}
