using KerasNotes.Layers;
using KerasNotes.Saving;

namespace KerasNotes.Models;

public partial class Model
{
    /// <summary>
    /// Saves the whole model in Keras 3's <c>.keras</c> format (Keras <c>model.save</c>): a zip of
    /// <c>metadata.json</c>, <c>config.json</c> (architecture and compile arguments) and <c>model.weights.h5</c>
    /// (weights and optimizer state). The write is atomic: a failure midway leaves any previous file intact.
    /// </summary>
    /// <remarks>
    /// The generator states that make training reproducible (the shuffle order of <c>Fit</c> and each Dropout
    /// layer's masks) are kept in <c>metadata.json</c> under a <c>kerasnotes</c> key that Keras ignores, so a
    /// loaded model continues <c>Fit</c> exactly as the original would have.
    /// </remarks>
    /// <param name="path">A path ending in <c>.keras</c>; an existing file is replaced.</param>
    /// <exception cref="ArgumentException">The path is empty or does not end in <c>.keras</c>.</exception>
    /// <exception cref="NotSupportedException">A custom layer's configuration holds a value with no JSON form.</exception>
    /// <exception cref="IOException">The file could not be written (the previous file, if any, is unchanged).</exception>
    /// <example><code>
    /// model.Save("model.keras");
    /// var again = Model.Load("model.keras");
    /// </code></example>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase))
        {
            string hint = path.EndsWith(".h5", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".hdf5", StringComparison.OrdinalIgnoreCase)
                ? " KerasNotes reads legacy .h5 files but writes only the native format; use SaveWeights(\"….weights.h5\") for weights alone."
                : string.Empty;
            throw new ArgumentException($"Save needs a path ending in .keras (Keras 3's native format), got '{path}'.{hint}", nameof(path));
        }

        using var use = UseGuard.Enter(this, nameof(Save), change: false);
        ModelFiles.Save(this, path);
    }

    /// <summary>
    /// Loads a whole model (Keras <c>keras.models.load_model</c>): a <c>.keras</c> archive, a legacy Keras 2 /
    /// tf.keras / Keras 3 <c>.h5</c> file, or a TensorFlow.js layers model (<c>model.json</c> or its folder).
    /// The model comes back compiled when the file has a compile configuration, with its optimizer state, so
    /// <c>Fit</c> continues where it stopped.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="customObjects">Custom layers, losses, metrics and activations for this load (Keras
    /// <c>custom_objects</c>); they take precedence over the static <see cref="CustomObjects"/> registrations.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is damaged, truncated, hostile, of an unsupported kind, or names a
    /// class that is neither built in nor registered; the message names the file, the entry and what was wrong.</exception>
    public static Model Load(string path, CustomObjects? customObjects = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return ModelFiles.Load(path, customObjects);
    }

    /// <summary>
    /// Saves the weights (and the optimizer state, when compiled) in Keras 3's <c>.weights.h5</c> layout
    /// (Keras <c>model.save_weights</c>). The write is atomic.
    /// </summary>
    /// <param name="path">A path ending in <c>.weights.h5</c>, as Keras requires.</param>
    /// <exception cref="ArgumentException">The path does not end in <c>.weights.h5</c>.</exception>
    /// <exception cref="InvalidOperationException">The model is not built, so it has no weights yet.</exception>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"SaveWeights needs a path ending in .weights.h5 (Keras 3's weights format), got '{path}'.", nameof(path));
        }

        if (!Built)
        {
            throw new InvalidOperationException(
                $"Model '{Name}' is not built, so it has no weights to save: build it (start with an Input, call Build, or Fit/Predict once) first.");
        }

        using var use = UseGuard.Enter(this, nameof(SaveWeights), change: false);
        ModelFiles.SaveWeights(this, path);
    }

    /// <summary>
    /// Loads weights into this model (Keras <c>model.load_weights</c>): from a <c>.weights.h5</c> file or a
    /// <c>.keras</c> archive (matched by layer position and class, as Keras does), a legacy <c>.h5</c> file
    /// (matched by position among the layers that have weights) or a TensorFlow.js <c>model.json</c> (matched by
    /// name). The optimizer state is restored too when the file has it and it fits the compiled optimizer.
    /// Everything is read and checked before anything is assigned, so a failed load changes nothing.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is damaged or does not fit the model; the message names the layer
    /// and the expected and found shapes.</exception>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var change = UseGuard.Enter(this, nameof(LoadWeights), change: true);
        ModelFiles.LoadWeights(this, path);
    }

    /// <summary>The shuffle generator if <c>Fit</c> has created it (saving does not create one).</summary>
    internal RandomGenerator? ShuffleGeneratorIfCreated => _shuffleRng;

    /// <summary>
    /// Every layer of the model and of the models nested in it (the nested model itself included), depth first in
    /// layer order, each object once: what files key per-layer state by (generator states, TF.js weight names).
    /// </summary>
    internal List<Layer> LayersDeep()
    {
        var result = new List<Layer>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance) { this };
        var stack = new Stack<(IReadOnlyList<Layer> Layers, int Next)>();
        stack.Push((Layers, 0));
        while (stack.Count > 0)
        {
            var (layers, next) = stack.Pop();
            if (next >= layers.Count)
            {
                continue;
            }

            stack.Push((layers, next + 1));
            var layer = layers[next];
            if (seen.Add(layer))
            {
                result.Add(layer);
                if (layer is Model nested)
                {
                    stack.Push((nested.Layers, 0));
                }
            }
        }

        return result;
    }

    /// <summary>Restores generator states read by a load: <c>fit_shuffle</c> and <c>layer:&lt;name&gt;</c> for Dropout layers.</summary>
    internal void RestoreRandomStates(IReadOnlyDictionary<string, ulong[]> states)
    {
        // Looked up by name, not by scanning the layers per state: a file may hold one state per layer of a 100,000-layer model.
        var generators = new Dictionary<string, RandomGenerator>(StringComparer.Ordinal);
        foreach (var layer in LayersDeep())
        {
            if (layer is Dropout { Generator: { } g })
            {
                generators.TryAdd(layer.Name, g);
            }
        }

        foreach (var (owner, state) in states)
        {
            if (owner == "fit_shuffle")
            {
                ShuffleGenerator.SetState(state);
            }
            else if (owner.StartsWith("layer:", StringComparison.Ordinal) && generators.TryGetValue(owner["layer:".Length..], out var g))
            {
                g.SetState(state);
            }
        }
    }
}
