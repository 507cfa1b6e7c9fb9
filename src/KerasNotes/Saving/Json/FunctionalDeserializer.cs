using KerasNotes.Layers;
using KerasNotes.Models;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Json;

/// <summary>
/// Rebuilds a functional model from its configuration (Keras <c>functional_from_config</c>): every layer is created
/// first, then each saved call is replayed on the tensors it names, once those exist, and the model is made from the
/// tensors <c>input_layers</c> and <c>output_layers</c> name. Reads Keras 3's calls (<c>{"args", "kwargs"}</c> with
/// <c>__keras_tensor__</c> arguments) and the Keras 2 / TensorFlow.js lists (<c>[[layer, node, tensor, kwargs]]</c>).
/// </summary>
/// <remarks>
/// <para>Keras retries the calls that cannot run yet in passes over the layers, which is quadratic in the worst case; here
/// each call waits on a count of the calls it needs (the earlier calls of its own layer, and the calls that produce its
/// inputs), so the replay is linear in the number of calls and references. Calls that never become ready (a cycle, a
/// call of a layer on its own output) are refused by name, as are references to unknown layers, node indices and
/// tensor indices out of range, duplicate layer names, input_layers that are not InputLayers and calls with
/// arguments KerasNotes cannot honour. Nothing here recurses on the file's content, except into a nested model's
/// configuration, which the JSON depth limit bounds.</para>
/// <para>Before a layer is built by its first call, the weights and activations it would create are worked out from
/// the call's input shape (<see cref="Layer.PlanFor"/>) and checked against what the file can hold; in a graph every
/// input shape is known, so the check follows every call a layer can describe.</para>
/// <para>Node numbering: Keras 3 numbers a layer's calls from 0 everywhere but in input_layers/output_layers, where a
/// nested functional model's calls count from 1. Keras 2 and TensorFlow.js count a nested model's calls from 1
/// everywhere when the model has its own input (its node 0 links that input to its outputs).</para>
/// </remarks>
internal static class FunctionalDeserializer
{
    /// <summary>The most layer calls the functional graphs of one file may hold, over all its models.</summary>
    internal const int MaxNodes = 200_000;

    /// <summary>The most shape work (see <see cref="LoadContext.GraphWork"/>) one file may cause: a second or two of loading.</summary>
    internal const long MaxGraphWork = 2_000_000;

    private enum CallForm
    {
        Unknown,
        Keras3,
        Legacy,
    }

    private sealed class Entry(ConfigNode where, string name, Layer layer)
    {
        public ConfigNode Where { get; } = where;

        public string Name { get; } = name;

        public Layer Layer { get; } = layer;

        public List<Call> Calls { get; } = [];

        /// <summary>The index the file gives the layer's first call (1 for a nested model in Keras 2 files).</summary>
        public int Base { get; set; }
    }

    private sealed class Call(Entry owner, int index, ConfigNode where, TensorRef[] refs, bool listCall)
    {
        public Entry Owner { get; } = owner;

        public int Index { get; } = index;

        public ConfigNode Where { get; } = where;

        public TensorRef[] Refs { get; } = refs;

        public bool ListCall { get; } = listCall;

        public int Waiting { get; set; }

        public List<Call> Dependents { get; } = [];

        public KerasTensor[]? Outputs { get; set; }
    }

    private readonly record struct TensorRef(string LayerName, int NodeIndex, int TensorIndex, ConfigNode Where);

    /// <summary>Builds the functional model whose <c>config</c> object is <paramref name="config"/>.</summary>
    public static Model Build(ConfigNode config)
    {
        if (!config.IsObject || !config.Has("layers") || !config.Has("input_layers") || !config.Has("output_layers"))
        {
            throw config.Fail($"a functional model's config needs 'layers', 'input_layers' and 'output_layers', found {config.Kind} {config.Text}.");
        }

        var context = (LoadContext)config.Source;
        string? name = config["name"].OptString();
        bool trainable = config["trainable"].OptBool(true);
        string model = name is null ? "the functional model" : $"functional model '{Short(name)}'";

        // 1. Every layer, in file order (nested models are built here, whole).
        var items = config["layers"].Items();
        var entries = new List<Entry>(items.Count);
        var byName = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!item.IsObject)
            {
                throw item.Fail($"expected a layer entry (an object), found {item.Kind} {item.Text}.");
            }

            var nameNode = item["name"];
            if (!nameNode.IsString)
            {
                throw nameNode.Fail($"a layer entry of {model} needs a 'name' string, found {nameNode.Kind}.");
            }

            string entryName = nameNode.String();
            if (byName.ContainsKey(entryName))
            {
                throw nameNode.Fail($"the name '{Short(entryName)}' is used by two layers of {model}; layer names must be unique within a model.");
            }

            var layer = KerasDeserializer.BuildLayer(item);
            if (layer.Name != entryName)
            {
                throw nameNode.Fail($"the entry is named '{Short(entryName)}' but its layer's config names it '{Short(layer.Name)}'.");
            }

            var entry = new Entry(item, entryName, layer);
            byName.Add(entryName, entry);
            entries.Add(entry);
        }

        // 2. Every saved call, read and checked before any runs.
        var form = CallForm.Unknown;
        int total = 0;
        foreach (var entry in entries)
        {
            var nodes = entry.Where["inbound_nodes"];
            if (nodes.IsNull)
            {
                continue;
            }

            var list = nodes.Items();
            if (entry.Layer is Input && list.Count > 0)
            {
                throw nodes.Fail($"InputLayer '{Short(entry.Name)}' is not called on anything, but the file lists {list.Count} call(s) of it.");
            }

            context.NodesRead += list.Count;
            if (context.NodesRead > MaxNodes)
            {
                throw nodes.Fail($"the file describes more than {MaxNodes} layer calls (over all its models); at most {MaxNodes} are supported.");
            }

            for (int k = 0; k < list.Count; k++)
            {
                entry.Calls.Add(ReadCall(list[k], entry, k, ref form));
            }

            total += list.Count;
        }

        // 3. References resolved into waiting counts: a call runs once the calls it needs have run.
        foreach (var entry in entries)
        {
            entry.Base = form == CallForm.Legacy && entry.Layer is Model nested && StartsWithOwnNode(nested) ? 1 : 0;
        }

        foreach (var entry in entries)
        {
            foreach (var call in entry.Calls)
            {
                foreach (var r in call.Refs)
                {
                    if (Producer(r, byName, model, nodeShift: null) is { } producer)
                    {
                        producer.Dependents.Add(call);
                        call.Waiting++;
                    }
                }

                if (call.Index > 0)
                {
                    entry.Calls[call.Index - 1].Dependents.Add(call);
                    call.Waiting++;
                }
            }
        }

        // 4. The replay, in file order as far as the dependencies allow.
        var ready = new Queue<Call>();
        foreach (var entry in entries)
        {
            foreach (var call in entry.Calls)
            {
                if (call.Waiting == 0)
                {
                    ready.Enqueue(call);
                }
            }
        }

        int done = 0;
        while (ready.Count > 0)
        {
            var call = ready.Dequeue();
            Run(call, byName, model, context);
            done++;
            foreach (var dependent in call.Dependents)
            {
                if (--dependent.Waiting == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }

        if (done < total)
        {
            throw config["layers"].Fail($"the graph of {model} has a cycle or a call that can never run: {Stuck(entries, byName, model)}.");
        }

        // 5. The model, from the tensors its inputs and outputs name.
        var (inputs, inputsAsList) = Endpoints(config["input_layers"], byName, form, model, inputs: true);
        var (outputs, outputsAsList) = Endpoints(config["output_layers"], byName, form, model, inputs: false);
        return KerasDeserializer.Construct(config, model, () => (inputsAsList, outputsAsList) switch
        {
            (false, false) => new Model(inputs[0], outputs[0], name, trainable),
            (false, true) => new Model(inputs[0], outputs, name, trainable),
            (true, false) => new Model(inputs, outputs[0], name, trainable),
            (true, true) => new Model(inputs, outputs, name, trainable),
        });
    }

    /// <summary>Keras 2 and TensorFlow.js give a model that has its own input a node 0 of its own, so its calls count from 1.</summary>
    private static bool StartsWithOwnNode(Model model) => model.Graph is not null || model is Sequential { InputLayer: not null };

    private static Call ReadCall(ConfigNode node, Entry owner, int index, ref CallForm form)
    {
        CallForm kind;
        TensorRef[] refs;
        bool listCall;
        if (node.IsObject)
        {
            // Keras 3: {"args": [tensor] or [[tensor, ...]], "kwargs": {...}}.
            kind = CallForm.Keras3;
            var args = node["args"].Items();
            if (args.Count != 1)
            {
                throw node["args"].Fail($"layer '{Short(owner.Name)}' call {index}: expected one positional argument (a tensor or a list of tensors), found {args.Count}.");
            }

            var arg = args[0];
            listCall = arg.IsArray;
            var tensors = listCall ? arg.Items() : [arg];
            if (tensors.Count == 0)
            {
                throw arg.Fail($"layer '{Short(owner.Name)}' call {index}: the list of input tensors is empty.");
            }

            refs = new TensorRef[tensors.Count];
            for (int i = 0; i < refs.Length; i++)
            {
                refs[i] = ReadKerasTensor(tensors[i]);
            }

            CheckKwargs(node["kwargs"], owner, index);
        }
        else if (node.IsArray)
        {
            // Keras 2 / TensorFlow.js: [[layer, node index, tensor index(, kwargs)], ...], one entry per input tensor.
            kind = CallForm.Legacy;
            var inbound = node.Items();
            if (inbound.Count == 0)
            {
                throw node.Fail($"layer '{Short(owner.Name)}' call {index}: the call lists no input tensor.");
            }

            refs = new TensorRef[inbound.Count];
            for (int i = 0; i < refs.Length; i++)
            {
                var parts = inbound[i].Items();
                if (parts.Count is not (3 or 4))
                {
                    throw inbound[i].Fail($"expected [layer name, node index, tensor index, kwargs], found {parts.Count} item(s).");
                }

                refs[i] = new TensorRef(parts[0].String(), parts[1].Int(), parts[2].Int(), inbound[i]);
                if (parts.Count == 4)
                {
                    CheckKwargs(parts[3], owner, index);
                }
            }

            listCall = refs.Length > 1;
        }
        else
        {
            throw node.Fail($"layer '{Short(owner.Name)}' call {index}: expected an object {{\"args\", \"kwargs\"}} or a Keras 2 list of inbound tensors, found {node.Kind} {node.Text}.");
        }

        if (form != CallForm.Unknown && form != kind)
        {
            throw node.Fail("the model mixes Keras 3 calls ({\"args\", \"kwargs\"}) with Keras 2 ones (lists); a file uses one form.");
        }

        form = kind;
        return new Call(owner, index, node, refs, listCall);
    }

    /// <summary>Reads a <c>{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history"}}</c> argument.</summary>
    private static TensorRef ReadKerasTensor(ConfigNode t)
    {
        if (!t.IsObject || !t["class_name"].IsString || t["class_name"].String() != "__keras_tensor__")
        {
            throw t.Fail($"expected a tensor ({{\"class_name\": \"__keras_tensor__\", ...}}); KerasNotes calls layers on tensors only, found {t.Kind} {t.Text}.");
        }

        var config = t["config"];
        var dtype = config["dtype"];
        if (!dtype.IsNull && (!dtype.IsString || dtype.String() != "float32"))
        {
            throw dtype.Fail($"only float32 tensors are supported, found {dtype.Text}.");
        }

        var history = config["keras_history"];
        if (history.IsNull)
        {
            throw history.Fail("the tensor has no keras_history: it does not come from a layer of the model, which KerasNotes does not support.");
        }

        var parts = history.Items();
        if (parts.Count != 3)
        {
            throw history.Fail($"expected [layer name, node index, tensor index], found {parts.Count} item(s).");
        }

        return new TensorRef(parts[0].String(), parts[1].Int(), parts[2].Int(), history);
    }

    /// <summary>
    /// Accepts the call arguments Keras adds on its own (<c>mask</c> of None for each input) and an unset
    /// <c>training</c>; refuses the rest, which would change what the layer computes.
    /// </summary>
    private static void CheckKwargs(ConfigNode kwargs, Entry owner, int index)
    {
        if (kwargs.IsNull)
        {
            return;
        }

        foreach (var (key, _) in kwargs.AsObject())
        {
            var value = kwargs[key];
            bool harmless = key switch
            {
                "mask" => value.IsNull || (value.IsArray && value.Items().All(m => m.IsNull)),
                "training" => value.IsNull,
                _ => false,
            };
            if (!harmless)
            {
                throw value.Fail(
                    $"layer '{Short(owner.Name)}' call {index}: the call argument '{Short(key)}' = {value.Text} is not supported; " +
                    "KerasNotes calls a layer on its inputs alone (no masks, no forced training flag).");
            }
        }
    }

    /// <summary>
    /// The call that produces the tensor <paramref name="r"/> names, after checking the name and the node index; null
    /// for an InputLayer's tensor, which exists from the start. <paramref name="nodeShift"/> overrides the layer's own
    /// numbering base (for input_layers/output_layers in Keras 3 files).
    /// </summary>
    private static Call? Producer(TensorRef r, Dictionary<string, Entry> byName, string model, int? nodeShift)
    {
        if (!byName.TryGetValue(r.LayerName, out var source))
        {
            throw r.Where.Fail($"unknown layer '{Short(r.LayerName)}': {model} has no layer of that name.");
        }

        if (r.TensorIndex < 0)
        {
            throw r.Where.Fail($"tensor index {r.TensorIndex} of layer '{Short(r.LayerName)}' is negative.");
        }

        if (source.Layer is Input)
        {
            if (r.NodeIndex != 0 || r.TensorIndex != 0)
            {
                throw r.Where.Fail($"'{Short(r.LayerName)}' is an InputLayer: its only tensor is [node 0, tensor 0], found [node {r.NodeIndex}, tensor {r.TensorIndex}].");
            }

            return null;
        }

        int shift = nodeShift ?? source.Base;
        int k = r.NodeIndex - shift;
        if (k < 0 || k >= source.Calls.Count)
        {
            string numbering = shift == 1 ? ", numbered from 1" : string.Empty;
            throw r.Where.Fail(
                $"node index {r.NodeIndex} of layer '{Short(r.LayerName)}' is out of range: {model} calls that layer {source.Calls.Count} time(s){numbering}.");
        }

        return source.Calls[k];
    }

    /// <summary>The tensor <paramref name="r"/> names, once its call has run.</summary>
    private static KerasTensor Tensor(TensorRef r, Dictionary<string, Entry> byName, string model, int? nodeShift)
    {
        var producer = Producer(r, byName, model, nodeShift);
        if (producer is null)
        {
            return ((Input)byName[r.LayerName].Layer).Output;
        }

        var outputs = producer.Outputs!;
        if (r.TensorIndex >= outputs.Length)
        {
            throw r.Where.Fail(
                $"tensor index {r.TensorIndex} of layer '{Short(r.LayerName)}' call {producer.Index} is out of range: that call has {outputs.Length} output(s).");
        }

        return outputs[r.TensorIndex];
    }

    private static void Run(Call call, Dictionary<string, Entry> byName, string model, LoadContext context)
    {
        var layer = call.Owner.Layer;
        var inputs = new KerasTensor[call.Refs.Length];
        long activationBudget = KerasDeserializer.ActivationBudget(context);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Tensor(call.Refs[i], byName, model, nodeShift: null);
            CheckTensorSize(inputs[i].Shape, activationBudget, call, layer);
        }

        try
        {
            if (!layer.Built && !call.ListCall && KerasDeserializer.PlanOf(layer, Longs(inputs[0].Shape)) is { } plan)
            {
                context.PlannedWeights = checked(context.PlannedWeights + plan.Weights);
                long budget = context.WeightBudgetBytes;
                if (context.PlannedWeights > budget / 4)
                {
                    throw call.Where.Fail(
                        $"{Who(layer)}: the layers up to this one need {context.PlannedWeights} weights ({context.PlannedWeights * 4L} bytes), more than the file's {budget} bytes of weights can hold.");
                }

                KerasDeserializer.CheckActivations(plan.OutputShape, activationBudget, call.Where, layer);
            }

            context.GraphWork = checked(context.GraphWork + 1 + CostOf(layer));
        }
        catch (OverflowException)
        {
            throw call.Where.Fail($"{Who(layer)}: the layer sizes overflow: the configuration is not plausible.");
        }

        if (context.GraphWork > MaxGraphWork)
        {
            throw call.Where.Fail(
                $"{Who(layer)}: the graphs call their layers (and nested models' layers) more than {MaxGraphWork} times in all; the configuration is not plausible.");
        }

        call.Outputs = KerasDeserializer.Construct(call.Where, $"call {call.Index} of {Who(layer)}", () => layer.ApplySymbolic(inputs, call.ListCall));
    }

    /// <summary>Refuses an input whose values for one sample exceed the activation budget before a layer runs on it.</summary>
    private static void CheckTensorSize(Shape shape, long activationBudget, Call call, Layer layer)
    {
        long values = 1;
        for (int k = 1; k < shape.Rank; k++)
        {
            values = shape[k] > 0 ? values * shape[k] : values;
            if (values > activationBudget / 4)
            {
                throw call.Where.Fail($"{Who(layer)}: one sample of an input of shape {shape} would have more than {activationBudget / 4} values; the configuration is not plausible.");
            }
        }
    }

    // Costs of the models loaded so far, each worked out once (a model called a thousand times is costed once).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Model, System.Runtime.CompilerServices.StrongBox<long>> s_costs = [];

    /// <summary>
    /// What a call of <paramref name="layer"/> costs when shapes are worked out, beyond the call itself: nothing for a
    /// layer; for a nested model, its own calls, each costed the same way. Saturates just above the work limit.
    /// </summary>
    private static long CostOf(Layer layer) =>
        layer is Model model ? s_costs.GetValue(model, static m => new(ModelCost(m))).Value : 0;

    private static long ModelCost(Model model)
    {
        long cost = 0;
        if (model.Graph is { } graph)
        {
            foreach (var node in graph.Nodes)
            {
                if (!node.IsInput)
                {
                    cost = Math.Min(MaxGraphWork + 1, cost + 1 + CostOf(node.Layer));
                }
            }
        }
        else
        {
            foreach (var inner in model.Layers)
            {
                cost = Math.Min(MaxGraphWork + 1, cost + 1 + CostOf(inner));
            }
        }

        return cost;
    }

    private static long[] Longs(Shape shape)
    {
        var dims = new long[shape.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = shape[i];
        }

        return dims;
    }

    /// <summary>input_layers / output_layers: one triple (a single tensor), a list of triples, or a dict of them keyed by layer name.</summary>
    private static (KerasTensor[] Tensors, bool AsList) Endpoints(ConfigNode node, Dictionary<string, Entry> byName, CallForm form, string model, bool inputs)
    {
        string what = inputs ? "input_layers" : "output_layers";
        if (IsTriple(node))
        {
            return ([Endpoint(node, byName, form, model, inputs)], false);
        }

        if (node.IsArray)
        {
            var items = node.Items();
            if (items.Count == 0)
            {
                throw node.Fail($"{what} is empty; a model needs at least one {(inputs ? "input" : "output")}.");
            }

            var tensors = new KerasTensor[items.Count];
            for (int i = 0; i < tensors.Length; i++)
            {
                tensors[i] = IsTriple(items[i])
                    ? Endpoint(items[i], byName, form, model, inputs)
                    : throw items[i].Fail($"expected [layer name, node index, tensor index], found {items[i].Kind} {items[i].Text}.");
            }

            return (tensors, true);
        }

        if (node.IsObject && node.AsObject().Count > 0)
        {
            // Keras models made from dicts: kept in the file's order, as a list, when each key is its layer's name.
            var list = new List<KerasTensor>();
            foreach (var (key, _) in node.AsObject())
            {
                var value = node[key];
                var tensor = IsTriple(value)
                    ? Endpoint(value, byName, form, model, inputs)
                    : throw value.Fail($"expected [layer name, node index, tensor index], found {value.Kind} {value.Text}.");
                if (key != tensor.Layer.Name)
                {
                    throw value.Fail(
                        $"{what} is a dict whose key '{Short(key)}' differs from its layer's name '{Short(tensor.Layer.Name)}'; KerasNotes keeps inputs and outputs as lists named by their layers.");
                }

                list.Add(tensor);
            }

            return ([.. list], true);
        }

        throw node.Fail($"expected {what} as [layer name, node index, tensor index] or a list of them, found {node.Kind} {node.Text}.");
    }

    private static bool IsTriple(ConfigNode node)
    {
        if (!node.IsArray)
        {
            return false;
        }

        var items = node.Items();
        return items.Count == 3 && items[0].IsString;
    }

    private static KerasTensor Endpoint(ConfigNode node, Dictionary<string, Entry> byName, CallForm form, string model, bool inputs)
    {
        var parts = node.Items();
        var r = new TensorRef(parts[0].String(), parts[1].Int(), parts[2].Int(), node);
        int? shift = null;
        if (form != CallForm.Legacy && byName.TryGetValue(r.LayerName, out var source))
        {
            // Keras 3 counts a nested functional model's calls from 1 here only.
            shift = KerasSerializer.IsFunctional(source.Layer) ? 1 : 0;
        }

        var tensor = Tensor(r, byName, model, shift);
        if (inputs && tensor.Layer is not Input)
        {
            throw node.Fail($"input_layers names '{Short(r.LayerName)}' ({KerasSerializer.ClassNameOf(tensor.Layer)}), which is not an InputLayer: a model's inputs must be InputLayers.");
        }

        return tensor;
    }

    /// <summary>A few of the calls that never ran, each with what it waits for.</summary>
    private static string Stuck(List<Entry> entries, Dictionary<string, Entry> byName, string model)
    {
        var shown = new List<string>();
        int count = 0;
        foreach (var entry in entries)
        {
            foreach (var call in entry.Calls)
            {
                if (call.Outputs is not null)
                {
                    continue;
                }

                if (++count > 5)
                {
                    continue;
                }

                string waits = call.Index > 0 && entry.Calls[call.Index - 1].Outputs is null ? $"its call {call.Index - 1}" : string.Empty;
                foreach (var r in call.Refs)
                {
                    if (waits.Length == 0 && Producer(r, byName, model, nodeShift: null) is { Outputs: null } p)
                    {
                        waits = $"'{Short(p.Owner.Name)}' call {p.Index}";
                    }
                }

                shown.Add($"'{Short(entry.Name)}' call {call.Index} waits for {waits}");
            }
        }

        return string.Join("; ", shown) + (count > shown.Count ? $" (and {count - shown.Count} more)" : string.Empty);
    }

    private static string Who(Layer layer) => $"layer '{Short(layer.Name)}' ({KerasSerializer.ClassNameOf(layer)})";

    private static string Short(string name) => name.Length > 80 ? name[..80] + "…" : name;
}
