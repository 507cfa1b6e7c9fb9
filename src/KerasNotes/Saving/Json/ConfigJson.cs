using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNotes.Serialization;

namespace KerasNotes.Saving.Json;

/// <summary>Parses a configuration member of a model file with the limits an untrusted file needs.</summary>
internal static class ConfigJson
{
    /// <summary>The deepest nesting a configuration may have (Keras writes well under 20 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="utf8"/> and wraps its root for reading.</summary>
    public static ConfigNode Root(byte[] utf8, string entry, string where, LoadContext context) =>
        new(Parse(utf8, entry, context), where, context);

    public static JsonNode Parse(byte[] utf8, string entry, LoadContext context)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw context.Fail(entry, "not valid JSON: the text is not valid UTF-8.");
        }

        LayerListPrecheck.Check(utf8, KerasDeserializer.MaxLayers + 1, MaxDepth, entry, context);
        try
        {
            return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false, AllowDuplicateProperties = false })
                ?? throw context.Fail(entry, "the JSON document is null; expected an object.");
        }
        catch (JsonException e)
        {
            throw context.Fail(entry, $"not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw context.Fail(entry, $"not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw context.Fail(entry, $"not valid JSON: {e.Message}", e);
        }
    }

}
