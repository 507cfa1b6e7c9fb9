namespace KerasNotes.Serialization;

/// <summary>A concept (layer, loss, metric, optimizer…) whose objects are found by name and rebuilt from configs.</summary>
/// <typeparam name="TSelf">The concept's base type.</typeparam>
internal interface IRegistered<TSelf>
    where TSelf : class
{
    /// <summary>The concept's one table: built-ins and custom registrations.</summary>
    static abstract Registry<TSelf> Registry { get; }
}
