using KerasNotes.Layers;

namespace KerasNotes.Models;

/// <summary>
/// The graph of layer calls between a functional model's inputs and outputs (Keras <c>map_graph</c>): which nodes
/// belong to the model, the order they run in, and the model's layer list in Keras's order.
/// </summary>
/// <remarks>
/// Keras orders by depth, the distance from the outputs (a node's depth is one more than the deepest node that
/// consumes it; a shared layer takes its deepest node's depth), deepest first; layers of equal depth keep the order in
/// which a walk from the outputs first met them. The walk is iterative (a file may describe a very deep graph) and
/// stops at the model's inputs.
/// </remarks>
internal sealed class FunctionalGraph
{
    private readonly int[] _inputSlots;
    private readonly int[] _outputSlots;
    private readonly int[][] _nodeInputSlots;
    private readonly int[][] _nodeOutputSlots;
    private readonly HashSet<Node> _nodeSet;

    public FunctionalGraph(KerasTensor[] inputs, KerasTensor[] outputs, string modelName)
    {
        Inputs = inputs;
        Outputs = outputs;
        ModelName = modelName;
        InputLayers = new Input[inputs.Length];
        var seenInputs = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Layer is not Input input || !inputs[i].Node.IsInput)
            {
                throw new ArgumentException(
                    $"Model '{modelName}': input {i} comes from layer '{inputs[i].Layer.Name}' ({inputs[i].Layer.GetType().Name}); a model's inputs must be tensors from Keras.Input (or an Input layer's Output).",
                    nameof(inputs));
            }

            if (!seenInputs.Add(inputs[i]))
            {
                throw new ArgumentException($"Model '{modelName}': input '{input.Name}' is listed twice.", nameof(inputs));
            }

            InputLayers[i] = input;
        }

        var (postOrder, firstSeen) = Walk(inputs, outputs, modelName);
        _nodeSet = new HashSet<Node>(postOrder, ReferenceEqualityComparer.Instance);

        // Depths, from the outputs back (Keras map_graph).
        var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var nodeInsertion = new List<Node>();
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int n = postOrder.Count - 1; n >= 0; n--)
        {
            var node = postOrder[n];
            if (!nodeDepth.TryGetValue(node, out int depth))
            {
                nodeInsertion.Add(node);
            }

            if (layerDepth.TryGetValue(node.Layer, out int previous))
            {
                depth = Math.Max(depth, previous);
            }

            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            foreach (var input in node.Inputs)
            {
                var parent = input.Node;
                if (!nodeDepth.TryGetValue(parent, out int parentDepth))
                {
                    nodeInsertion.Add(parent);
                    parentDepth = 0;
                }

                nodeDepth[parent] = Math.Max(depth + 1, parentDepth);
            }
        }

        foreach (var input in InputLayers)
        {
            if (!layerDepth.ContainsKey(input))
            {
                // An input no output depends on still belongs to the model (Keras keeps it, at depth 0).
                layerDepth[input] = 0;
                firstSeen[input] = -1;
                var node = input.InboundNodes[0];
                nodeDepth[node] = 0;
                nodeInsertion.Add(node);
                _nodeSet.Add(node);
            }
        }

        // Nodes run deepest first; within a depth in the order Keras's dict would hold them.
        var order = new List<Node>(nodeInsertion);
        var position = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < order.Count; i++)
        {
            position[order[i]] = i;
        }

        order.Sort((a, b) => nodeDepth[a] != nodeDepth[b] ? nodeDepth[b].CompareTo(nodeDepth[a]) : position[a].CompareTo(position[b]));
        Nodes = [.. order];

        var layers = new List<Layer>(layerDepth.Keys);
        layers.Sort((a, b) => layerDepth[a] != layerDepth[b] ? layerDepth[b].CompareTo(layerDepth[a]) : firstSeen[a].CompareTo(firstSeen[b]));
        Layers = layers.AsReadOnly();

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            names[layer.Name] = names.GetValueOrDefault(layer.Name) + 1;
        }

        foreach (var (name, count) in names)
        {
            if (count > 1)
            {
                throw new ArgumentException(
                    $"Model '{modelName}': the name \"{name}\" is used {count} times in the model; all layer names should be unique.", nameof(outputs));
            }
        }

        // Every tensor gets a slot; a node can run once all its inputs have values (checked, as Keras does).
        var slots = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        int Slot(KerasTensor t)
        {
            if (!slots.TryGetValue(t, out int s))
            {
                s = slots.Count;
                slots[t] = s;
            }

            return s;
        }

        var computable = new HashSet<KerasTensor>(inputs, ReferenceEqualityComparer.Instance);
        _inputSlots = Array.ConvertAll(inputs, Slot);
        _nodeInputSlots = new int[Nodes.Length][];
        _nodeOutputSlots = new int[Nodes.Length][];
        for (int n = 0; n < Nodes.Length; n++)
        {
            var node = Nodes[n];
            foreach (var x in node.Inputs)
            {
                if (!computable.Contains(x))
                {
                    throw new ArgumentException(
                        $"Model '{modelName}': graph disconnected: layer '{node.Layer.Name}' needs {x}, which cannot be computed from the model's inputs.",
                        nameof(inputs));
                }
            }

            _nodeInputSlots[n] = Array.ConvertAll(node.Inputs, Slot);
            _nodeOutputSlots[n] = node.IsInput ? [] : Array.ConvertAll(node.Outputs, Slot);
            foreach (var y in node.Outputs)
            {
                computable.Add(y);
            }
        }

        _outputSlots = Array.ConvertAll(outputs, Slot);
        SlotCount = slots.Count;
    }

    /// <summary>The name of the model the graph belongs to (for messages).</summary>
    public string ModelName { get; }

    /// <summary>The model's input tensors, in order.</summary>
    public KerasTensor[] Inputs { get; }

    /// <summary>The model's output tensors, in order.</summary>
    public KerasTensor[] Outputs { get; }

    /// <summary>The <see cref="Input"/> layer of each input.</summary>
    public Input[] InputLayers { get; }

    /// <summary>The nodes of the model (input nodes included) in the order they run.</summary>
    public Node[] Nodes { get; }

    /// <summary>The model's layers in Keras's order (<c>model.layers</c>, input layers included), each once.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>How many tensors one run holds at most.</summary>
    public int SlotCount { get; }

    /// <summary>True when <paramref name="node"/> is one of this model's calls (a shared layer has calls outside it too).</summary>
    public bool Contains(Node node) => _nodeSet.Contains(node);

    /// <summary>
    /// Walks from the outputs to the inputs (Keras <c>_build_map</c>): the nodes in post-order, and for each layer
    /// the order in which the walk first met it. Throws on a cycle or an input that is not among the model's.
    /// </summary>
    private static (List<Node> PostOrder, Dictionary<Layer, int> FirstSeen) Walk(KerasTensor[] inputs, KerasTensor[] outputs, string modelName)
    {
        var inputSet = new HashSet<KerasTensor>(inputs, ReferenceEqualityComparer.Instance);
        var finished = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var inProgress = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<Node>();
        var firstSeen = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, int Next)>();
        foreach (var output in outputs)
        {
            Visit(output);
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                bool stop = node.IsInput || (node.Outputs.Length == 1 && inputSet.Contains(node.Outputs[0]));
                if (!stop && next < node.Inputs.Length)
                {
                    stack.Push((node, next + 1));
                    Visit(node.Inputs[next]);
                    continue;
                }

                inProgress.Remove(node);
                finished.Add(node);
                postOrder.Add(node);
            }
        }

        return (postOrder, firstSeen);

        void Visit(KerasTensor tensor)
        {
            var node = tensor.Node;
            if (finished.Contains(node))
            {
                return;
            }

            if (!inProgress.Add(node))
            {
                throw new ArgumentException($"Model '{modelName}': {tensor} from layer '{node.Layer.Name}' is part of a cycle.", nameof(outputs));
            }

            if (node.IsInput && !inputSet.Contains(tensor))
            {
                throw new ArgumentException(
                    $"Model '{modelName}': graph disconnected: the outputs depend on input '{node.Layer.Name}', which is not among the model's inputs.",
                    nameof(inputs));
            }

            firstSeen.TryAdd(node.Layer, firstSeen.Count);
            stack.Push((node, 0));
        }
    }

    /// <summary>Runs the graph on <paramref name="inputs"/>, writing the model's outputs into <paramref name="outputs"/>.</summary>
    public void Run(IReadOnlyList<Tensor> inputs, bool training, Span<Tensor> outputs)
    {
        // The model checked the inputs against the declared shapes (without the batch axis, as Keras does).
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var values = new Tensor[SlotCount];
        for (int i = 0; i < _inputSlots.Length; i++)
        {
            values[_inputSlots[i]] = inputs[i];
        }

        for (int n = 0; n < Nodes.Length; n++)
        {
            var node = Nodes[n];
            if (node.IsInput)
            {
                continue;
            }

            var inSlots = _nodeInputSlots[n];
            var outSlots = _nodeOutputSlots[n];
            if (outSlots.Length > 1)
            {
                var results = ((Model)node.Layer).ApplyOutputs(Gather(values, inSlots), training);
                for (int k = 0; k < outSlots.Length; k++)
                {
                    values[outSlots[k]] = results[k];
                }
            }
            else if (node.ListCall)
            {
                values[outSlots[0]] = node.Layer.Apply(Gather(values, inSlots), training);
            }
            else
            {
                values[outSlots[0]] = node.Layer.Apply(values[inSlots[0]], training);
            }
        }

        for (int k = 0; k < _outputSlots.Length; k++)
        {
            outputs[k] = values[_outputSlots[k]];
        }
    }

    /// <summary>The output shapes for inputs of <paramref name="inputShapes"/>, worked out layer by layer without running anything.</summary>
    public Shape[] OutputShapes(IReadOnlyList<Shape> inputShapes)
    {
        if (inputShapes.Count != InputLayers.Length)
        {
            throw new ArgumentException(
                $"Model '{ModelName}' takes {InputLayers.Length} inputs ({string.Join(", ", Array.ConvertAll(InputLayers, l => l.Name))}); it was given {inputShapes.Count}.",
                nameof(inputShapes));
        }

        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var shapes = new Shape[SlotCount];
        for (int i = 0; i < _inputSlots.Length; i++)
        {
            shapes[_inputSlots[i]] = inputShapes[i];
        }

        for (int n = 0; n < Nodes.Length; n++)
        {
            var node = Nodes[n];
            if (node.IsInput)
            {
                continue;
            }

            var inSlots = _nodeInputSlots[n];
            var outSlots = _nodeOutputSlots[n];
            var ins = new Shape[inSlots.Length];
            for (int i = 0; i < ins.Length; i++)
            {
                ins[i] = shapes[inSlots[i]];
            }

            if (node.Layer is Model model && outSlots.Length > 1)
            {
                var outs = model.ComputeOutputShapes(ins);
                for (int k = 0; k < outSlots.Length; k++)
                {
                    shapes[outSlots[k]] = outs[k];
                }
            }
            else
            {
                shapes[outSlots[0]] = node.ListCall ? node.Layer.ComputeOutputShape(ins) : node.Layer.ComputeOutputShape(ins[0]);
            }
        }

        return Array.ConvertAll(_outputSlots, s => shapes[s]);
    }

    private static Tensor[] Gather(Tensor[] values, int[] slots)
    {
        var list = new Tensor[slots.Length];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = values[slots[i]];
        }

        return list;
    }
}
