namespace KerasNotes.Serialization;

/// <summary>
/// Where a configuration comes from (a model file being loaded): it words the errors, and turns a nested
/// serialized object (an initializer, a schedule…) into the object, through the concept's registry.
/// </summary>
internal interface IConfigSource
{
    /// <summary>The error for a bad value at JSON path <paramref name="where"/>.</summary>
    Exception Fail(string where, string reason);

    /// <summary>The object serialized at <paramref name="node"/> (a name or a Keras envelope), or null when the node is null.</summary>
    T? Resolve<T>(ConfigNode node)
        where T : class, IRegistered<T>;
}
