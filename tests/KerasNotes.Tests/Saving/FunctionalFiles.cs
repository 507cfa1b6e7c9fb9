using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using KerasNotes.Models;
using KerasNotes.Saving.Json;

namespace KerasNotes.Tests.Saving;

/// <summary>Helpers for the functional-model file tests: configs as JSON, archives rewritten, Keras's files.</summary>
internal static class FunctionalFiles
{
    /// <summary>A file of Fixtures/keras_functional (written by Keras 3.16).</summary>
    public static string Keras(string name) => SavingTestSupport.FixturePath("keras_functional", name);

    /// <summary>The config.json our writer produces for <paramref name="model"/>.</summary>
    public static JsonObject ConfigOf(Model model) => JsonNode.Parse(PythonJson.Serialize(KerasSerializer.SerializeModel(model)))!.AsObject();

    /// <summary>The config.json inside a .keras archive.</summary>
    public static JsonObject ConfigIn(string archive)
    {
        using var zip = ZipFile.OpenRead(archive);
        using var s = zip.GetEntry("config.json")!.Open();
        return JsonNode.Parse(s)!.AsObject();
    }

    /// <summary>A copy of <paramref name="archive"/> at <paramref name="path"/> whose config.json <paramref name="edit"/> changed.</summary>
    public static string WithConfig(string archive, string path, Action<JsonObject> edit)
    {
        var config = ConfigIn(archive);
        edit(config);
        return WithMember(archive, path, "config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    /// <summary>A copy of <paramref name="archive"/> at <paramref name="path"/> with member <paramref name="member"/> replaced.</summary>
    public static string WithMember(string archive, string path, string member, byte[] bytes)
    {
        using var source = ZipFile.OpenRead(archive);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            using var to = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            if (entry.FullName == member)
            {
                to.Write(bytes);
            }
            else
            {
                using var from = entry.Open();
                from.CopyTo(to);
            }
        }

        return path;
    }

    /// <summary>The layer entries of a functional config, by name.</summary>
    public static JsonObject Layer(JsonObject config, string name) =>
        config["config"]!["layers"]!.AsArray().Select(l => l!.AsObject()).First(l => l["name"]!.GetValue<string>() == name);

    /// <summary>
    /// The config with every built-in layer's own <c>config</c> cut to its name and Keras's <c>shared_object_id</c>s
    /// removed: what is compared with Keras's files is the model's structure (the layer keys have tests of their own),
    /// so keys a Keras version adds to a layer do not hide a difference in the graph.
    /// </summary>
    public static string Abbreviated(JsonNode config)
    {
        var copy = config.DeepClone();
        Abbreviate(copy);
        return copy.ToJsonString();
    }

    private static void Abbreviate(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("shared_object_id");
                if (o["module"] is JsonValue m && m.GetValue<string>() == "keras.layers" && o["class_name"]?.GetValue<string>() != "InputLayer" && o["config"] is JsonObject c)
                {
                    o["config"] = new JsonObject { ["name"] = c["name"]!.DeepClone() };
                }

                foreach (var (_, v) in o.ToList())
                {
                    Abbreviate(v);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Abbreviate(v);
                }

                break;
        }
    }
}

/// <summary>Lists an HDF5 file's groups and datasets as h5py's <c>visititems</c> names them, sorted.</summary>
internal static class H5Listing
{
    /// <summary>One line per object: <c>layers/dense/</c> for a group, <c>layers/dense/vars/0 (6, 1)</c> for a dataset; a vars group's <c>name</c> attribute as <c>{name: x}</c>.</summary>
    public static List<string> Of(byte[] bytes)
    {
        using var h5 = PureHDF.H5File.Open(new MemoryStream(bytes), leaveOpen: false);
        var lines = new List<string>();
        var stack = new Stack<(PureHDF.IH5Group Group, string Path)>();
        stack.Push((h5, string.Empty));
        while (stack.Count > 0)
        {
            var (group, path) = stack.Pop();
            foreach (var child in group.Children())
            {
                string name = path + child.Name;
                switch (child)
                {
                    case PureHDF.IH5Group g:
                        string attr = child.Name == "vars" && g.AttributeExists("name") ? $" {{name: {g.Attribute("name").Read<string>()}}}" : string.Empty;
                        lines.Add(name + "/" + attr);
                        stack.Push((g, name + "/"));
                        break;
                    case PureHDF.IH5Dataset d:
                        lines.Add($"{name} ({string.Join(", ", d.Space.Dimensions)}{(d.Space.Dimensions.Length == 1 ? "," : string.Empty)})");
                        break;
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
