namespace KerasNotes.Serialization;

/// <summary>
/// Custom registrations of one concept: a factory per name, and what each was registered from (a function or a
/// type) so that saving finds the name again. Not thread-safe by itself: <see cref="Registry{T}"/> locks the
/// process-wide set; a per-load set belongs to the caller that fills it.
/// </summary>
/// <typeparam name="T">The concept's base type.</typeparam>
internal sealed class CustomEntries<T>(StringComparer names)
    where T : class
{
    private readonly Dictionary<string, Func<ObjectConfig, T>> _factories = new(names);
    private readonly Dictionary<string, object> _identities = new(names);

    /// <summary>Adds or replaces the entry for <paramref name="name"/>.</summary>
    /// <param name="name">The name saved in files.</param>
    /// <param name="factory">Creates the object from its saved config (<see cref="ObjectConfig.Empty"/> when created by name).</param>
    /// <param name="identity">What the entry was registered from (a delegate or a <see cref="Type"/>), or null.</param>
    public void Add(string name, Func<ObjectConfig, T> factory, object? identity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[name] = factory;
        if (identity is null)
        {
            _identities.Remove(name);
        }
        else
        {
            _identities[name] = identity;
        }
    }

    /// <summary>The factory registered under <paramref name="name"/>.</summary>
    public bool TryGetFactory(string name, out Func<ObjectConfig, T> factory) => _factories.TryGetValue(name, out factory!);

    /// <summary>What <paramref name="name"/> was registered from, when it is a <typeparamref name="TValue"/>.</summary>
    public bool TryGetValue<TValue>(string name, out TValue value)
        where TValue : class
    {
        value = (_identities.GetValueOrDefault(name) as TValue)!;
        return value is not null;
    }

    /// <summary>The name <paramref name="identity"/> was registered under, or null.</summary>
    public string? NameOf(object identity)
    {
        foreach (var (name, registered) in _identities)
        {
            if (Equals(registered, identity))
            {
                return name;
            }
        }

        return null;
    }
}
