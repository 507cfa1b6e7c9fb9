namespace KerasNotes.Plotting;

/// <summary>
/// Groups History keys the way one reads them: a metric and its validation twin ("loss" and "val_loss") share a
/// panel, named by the metric. Families keep the order in which their first key comes.
/// </summary>
internal static class MetricFamilies
{
    private const string ValidationPrefix = "val_";

    /// <summary>The family of <paramref name="key"/>: the key without Keras's <c>val_</c> prefix.</summary>
    public static string Of(string key) =>
        key.StartsWith(ValidationPrefix, StringComparison.Ordinal) && key.Length > ValidationPrefix.Length
            ? key[ValidationPrefix.Length..]
            : key;

    /// <summary>The families of <paramref name="keys"/>, each with its keys in the order given.</summary>
    public static List<(string Family, List<string> Keys)> Group(IEnumerable<string> keys)
    {
        var families = new List<(string Family, List<string> Keys)>();
        foreach (string key in keys)
        {
            string family = Of(key);
            int index = families.FindIndex(f => f.Family == family);
            if (index < 0)
            {
                families.Add((family, [key]));
            }
            else if (!families[index].Keys.Contains(key))
            {
                families[index].Keys.Add(key);
            }
        }

        return families;
    }
}
