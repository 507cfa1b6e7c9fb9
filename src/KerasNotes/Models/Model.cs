using KerasNotes.Callbacks;
using KerasNotes.Layers;
using KerasNotes.Losses;
using KerasNotes.Metrics;
using KerasNotes.Optimizers;

namespace KerasNotes.Models;

/// <summary>
/// A model: layers plus the training machinery (Keras <c>keras.Model</c>) — <c>Compile</c>, <c>Fit</c>,
/// <c>Evaluate</c>, <c>Predict</c>, the <c>*OnBatch</c> methods, <c>Summary</c>, and whole-model weights.
/// </summary>
/// <remarks>
/// <para>Built from symbolic tensors — <c>new Model(inputs, outputs)</c> with inputs from <see cref="Keras.Input"/> and
/// outputs from layers applied to them — a model is Keras's functional model: a graph of layer calls with one or several
/// inputs and outputs (see the constructors). <see cref="Sequential"/> derives from it; a subclass may also override
/// <c>Call</c>.</para>
/// <para>A model is a layer, so it can be called with <see cref="Layer.Apply(Tensor, bool)"/> (or applied to symbolic
/// tensors) and nested in another model. Its weights are its layers' weights, in layer order.</para>
/// <para><b>Threads.</b> <c>Predict</c>, <c>PredictOnBatch</c>, <c>Evaluate</c>, <c>TestOnBatch</c>, <c>Save</c> and
/// <c>SaveWeights</c> may be called on one model from many threads at once, and give exactly the results of the
/// same calls made one after another: each call has its own scratch memory and its own list of added losses.
/// <c>Predict</c> calls run side by side; <c>Evaluate</c> and <c>TestOnBatch</c> accumulate into the compiled
/// metrics, so they take turns (a second <c>Evaluate</c> waits for the first, callbacks included: a callback of one
/// must not wait for another thread's evaluation of the same model). <c>Fit</c>, <c>TrainOnBatch</c>,
/// <c>Compile</c> and <c>LoadWeights</c> change the model: called while another thread uses the model (or the
/// other way round), the later call throws <see cref="InvalidOperationException"/> and changes nothing. A model
/// nested in another counts as used by both; one layer instance added to two models that do not contain each other
/// is not guarded across them. The thread that trains may itself predict, evaluate or save (from a
/// callback). A call that fails leaves the model usable. Not guarded, so not to be mixed with inference on other
/// threads: setting weights directly (<see cref="Layer.SetWeights"/>, <see cref="Variable.Assign(Tensor)"/>), a
/// custom training loop (<see cref="Optimizers.Optimizer.ApplyGradients"/>, <see cref="Layer.Apply(Tensor, bool)"/> with
/// <c>training: true</c>, which updates BatchNormalization's statistics). <see cref="GradientTape"/>s on several
/// threads may differentiate the same weights at once.</para>
/// </remarks>
public partial class Model : Layer
{
    /// <summary>Creates a model.</summary>
    protected Model(string? name = null, bool trainable = true)
        : base(name, trainable)
    {
    }

    private WeightLists? _modelLists;

    /// <summary>
    /// The model's layers (Keras <c>model.layers</c>): for a Sequential all but the leading <see cref="Input"/>; for a
    /// functional model every layer of the graph, input layers included, each once, in Keras's order.
    /// </summary>
    public virtual IReadOnlyList<Layer> Layers => _graph?.Layers ?? [];

    /// <summary>
    /// The layers whose weights and losses make up the model, in the order they run (for a Sequential the same as
    /// <see cref="Layers"/>: its <see cref="Input"/> holds no weights and is not among them).
    /// </summary>
    internal virtual IReadOnlyList<Layer> AllLayers => _graph?.Layers ?? [];

    /// <summary>
    /// Set to true (from a callback, say) to stop <c>Fit</c> (Keras <c>stop_training</c>): the current batch finishes, the
    /// epoch is closed there (validation and the epoch-end callbacks still run) and no further epoch starts.
    /// </summary>
    public bool StopTraining { get; set; }

    /// <summary>The History of the most recent <c>Fit</c> (Keras <c>model.history</c>).</summary>
    public History? History { get; internal set; }

    /// <summary>The optimizer given to <c>Compile</c>, or null before compiling.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>
    /// The compiled loss of a model with one output, or null (a model may train on <c>AddLoss</c> terms alone). A model
    /// with several outputs has one loss per output: see <see cref="CompiledLosses"/> (this is then null).
    /// </summary>
    public Loss? CompiledLoss { get; private set; }

    /// <summary>The compiled metrics, in order.</summary>
    public IReadOnlyList<Metric> CompiledMetrics => _metrics;

    /// <summary>True once <c>Compile</c> has run.</summary>
    public bool IsCompiled { get; private set; }

    /// <inheritdoc />
    public override bool Trainable
    {
        get => base.Trainable;
        set
        {
            base.Trainable = value;
            foreach (var layer in AllLayers)
            {
                layer.Trainable = value;
            }
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<Variable> Weights => ModelLists().All;

    /// <inheritdoc />
    public override IReadOnlyList<Variable> TrainableWeights => ModelLists().Trainable;

    /// <inheritdoc />
    public override IReadOnlyList<Variable> NonTrainableWeights => ModelLists().NonTrainable;

    // The layers' lists joined (each variable once), rebuilt only after a structure change anywhere.
    private WeightLists ModelLists()
    {
        int version = StructureVersion;
        var lists = _modelLists;
        if (lists is not null && lists.Version == version)
        {
            return lists;
        }

        var all = Collect(l => l.Weights);
        lists = Trainable
            ? new WeightLists(version, all, Collect(l => l.TrainableWeights), Collect(l => l.NonTrainableWeights))
            : new WeightLists(version, all, Array.AsReadOnly(Array.Empty<Variable>()), all);
        _modelLists = lists;
        return lists;
    }

    /// <summary>The trainable variables a <see cref="GradientTape"/> differentiates against (Keras <c>trainable_variables</c>).</summary>
    public IReadOnlyList<Variable> TrainableVariables => TrainableWeights;

    /// <summary>
    /// The loss terms of the most recent call: every layer's <c>AddLoss</c> and activity penalties, then a weight
    /// penalty for each trainable weight that has a regularizer (Keras <c>model.losses</c>).
    /// </summary>
    public override IReadOnlyList<Tensor> Losses
    {
        get
        {
            var list = new List<Tensor>();
            CollectLosses(list, TrainableWeights);
            return list;
        }
    }

    // Both run every training step: indexed loops, because enumerating an IReadOnlyList boxes its enumerator.
    internal override void ClearLosses()
    {
        base.ClearLosses();
        var layers = AllLayers;
        for (int i = 0; i < layers.Count; i++)
        {
            layers[i].ClearLosses();
        }
    }

    /// <summary>Adds the call's loss terms, then the weight penalties of <paramref name="trainable"/>, to <paramref name="list"/>.</summary>
    private void CollectLosses(List<Tensor> list, IReadOnlyList<Variable> trainable)
    {
        CollectCallLosses(list);

        for (int i = 0; i < trainable.Count; i++)
        {
            var v = trainable[i];
            if (v.Trainable && WeightPenalties.Of(v) is { } regularizer)
            {
                list.Add(regularizer.Call(v.Value));
            }
        }
    }

    /// <summary>
    /// Adds the losses the call added (AddLoss, activity penalties) in this model and every model nested in it; weight
    /// penalties are left to the outermost model, which adds one per trainable weight (a nested model's own
    /// <see cref="Losses"/> would add them a second time).
    /// </summary>
    private void CollectCallLosses(List<Tensor> list)
    {
        list.AddRange(base.Losses);
        var layers = AllLayers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Model nested)
            {
                nested.CollectCallLosses(list);
            }
            else
            {
                list.AddRange(layers[i].Losses);
            }
        }
    }

    private System.Collections.ObjectModel.ReadOnlyCollection<Variable> Collect(Func<Layer, IReadOnlyList<Variable>> select)
    {
        var seen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        var result = new List<Variable>();
        foreach (var layer in AllLayers)
        {
            foreach (var v in select(layer))
            {
                if (seen.Add(v))
                {
                    result.Add(v);
                }
            }
        }

        return result.AsReadOnly();
    }
}
