using System.IO.Compression;
using System.Text;
using KerasNotes.Layers;
using KerasNotes.Models;

namespace KerasNotes.Tests.Saving;

/// <summary>Builds hostile .keras archives and JSON documents for the hostile-file and fuzz tests.</summary>
internal static class HostileArchives
{
    private static readonly Lazy<byte[]> s_emptyWeights = new(() =>
    {
        using var temp = SavingTestSupport.Temp();
        new Sequential(new Input(1), new Activation("linear")).Save(temp.File("empty.keras"));
        using var zip = ZipFile.OpenRead(temp.File("empty.keras"));
        using var s = zip.GetEntry("model.weights.h5")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    });

    /// <summary>The model.weights.h5 of a model without weights: fits any stack of Activation layers.</summary>
    public static byte[] EmptyWeights => s_emptyWeights.Value;

    /// <summary>A config.json: an InputLayer of one feature, then <paramref name="count"/> linear Activation layers.</summary>
    public static byte[] ManyActivationsConfig(int count)
    {
        var sb = new StringBuilder((count * 90) + 300);
        sb.Append("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [");
        sb.Append("{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 1], \"name\": \"input_layer\"}}");
        for (int i = 0; i < count; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $", {{\"class_name\": \"Activation\", \"config\": {{\"name\": \"a{i}\", \"activation\": \"linear\"}}}}");
        }

        sb.Append("]}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary><paramref name="depth"/> opening brackets (<c>[</c> or <c>{"a": </c>) and their closing ones.</summary>
    public static byte[] DeeplyNested(int depth, bool objects)
    {
        string open = objects ? "{\"a\": " : "[";
        string close = objects ? "}" : "]";
        var sb = new StringBuilder(depth * (open.Length + close.Length) + 2);
        for (int i = 0; i < depth; i++)
        {
            sb.Append(open);
        }

        sb.Append('1');
        for (int i = 0; i < depth; i++)
        {
            sb.Append(close);
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A .keras archive of the given members, deflated (so a long repetitive config stays a small file).</summary>
    public static byte[] Archive(params (string Name, byte[] Data)[] members) => Archive(CompressionLevel.Optimal, members);

    /// <summary>A .keras archive of the given members stored uncompressed, as Keras writes them.</summary>
    public static byte[] StoredArchive(params (string Name, byte[] Data)[] members) => Archive(CompressionLevel.NoCompression, members);

    private static byte[] Archive(CompressionLevel level, (string Name, byte[] Data)[] members)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in members)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        }

        return output.ToArray();
    }

    /// <summary>A .keras archive whose config.json is <paramref name="config"/>, with a plain metadata.json and no weights.</summary>
    public static byte[] WithConfig(byte[] config) => Archive(
        ("metadata.json", Encoding.UTF8.GetBytes("{\"keras_version\": \"3.15.0\"}")),
        ("config.json", config),
        ("model.weights.h5", EmptyWeights));
}
