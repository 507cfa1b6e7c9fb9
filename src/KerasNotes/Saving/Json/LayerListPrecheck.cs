using System.Text.Json;

namespace KerasNotes.Saving.Json;

/// <summary>
/// Counts the entries of every <c>"layers"</c> list (and every functional layer's <c>"inbound_nodes"</c> list) in a
/// JSON document with a forward-only reader, before the document is parsed into nodes: a small deflated file can hold
/// a config listing millions of layers, and parsing that into a tree costs hundreds of megabytes before the layer
/// limit could be checked on the tree. Models nest, so the totals over all lists are bounded too.
/// </summary>
internal static class LayerListPrecheck
{
    /// <summary>
    /// Throws when a <c>"layers"</c> list has more than <paramref name="maxEntries"/> entries, when all of them together
    /// have more than twice that (a layer and an InputLayer per entry at most), or when the <c>"inbound_nodes"</c> lists
    /// hold more than <see cref="FunctionalDeserializer.MaxNodes"/> calls in all; leaves malformed JSON to the parser.
    /// </summary>
    public static void Check(byte[] utf8, int maxEntries, int maxDepth, string entry, LoadContext context)
    {
        // One slot per open container: whether it is a "layers" or "inbound_nodes" list, and how many entries it has so far.
        Span<int> counts = stackalloc int[maxDepth + 2];
        Span<bool> isLayers = stackalloc bool[maxDepth + 2];
        Span<bool> isNodes = stackalloc bool[maxDepth + 2];
        Span<bool> isArray = stackalloc bool[maxDepth + 2];
        int top = -1;
        bool pendingLayers = false;
        bool pendingNodes = false;
        long totalLayers = 0;
        long totalNodes = 0;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        // ValueTextEquals compares the unescaped name, so "lay\u0065rs" counts too.
                        pendingLayers = reader.ValueTextEquals("layers"u8);
                        pendingNodes = reader.ValueTextEquals("inbound_nodes"u8);
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        top--;
                        continue;
                }

                if (top >= 0 && isArray[top])
                {
                    if (++counts[top] > maxEntries && isLayers[top])
                    {
                        throw context.Fail(entry, $"a 'layers' list has more than {maxEntries} entries; at most {KerasDeserializer.MaxLayers} layers besides the InputLayer are supported.");
                    }

                    if (isLayers[top] && ++totalLayers > 2L * maxEntries)
                    {
                        throw context.Fail(entry, $"the 'layers' lists of the file's models have more than {2L * maxEntries} entries in all; at most {KerasDeserializer.MaxLayers} layers are supported.");
                    }

                    if (isNodes[top] && ++totalNodes > FunctionalDeserializer.MaxNodes)
                    {
                        throw context.Fail(entry, $"the 'inbound_nodes' lists hold more than {FunctionalDeserializer.MaxNodes} layer calls in all; at most {FunctionalDeserializer.MaxNodes} are supported.");
                    }
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    top++;
                    isArray[top] = reader.TokenType == JsonTokenType.StartArray;
                    isLayers[top] = isArray[top] && pendingLayers;
                    isNodes[top] = isArray[top] && pendingNodes;
                    counts[top] = 0;
                }

                pendingLayers = false;
                pendingNodes = false;
            }
        }
        catch (JsonException)
        {
            // Malformed or too deep: the parser that follows reports it with its own message.
        }
    }
}
