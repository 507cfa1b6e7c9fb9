namespace KerasNotes.Serialization;

/// <summary>
/// One concept's table (Keras <c>ALL_OBJECTS_DICT</c> for layers, losses, metrics…): the built-in classes by
/// Keras class name with their <c>FromConfig</c>, the names and aliases users type (<c>"adam"</c>, <c>"mse"</c>),
/// and the custom objects registered for the process or for one load. Name lookup, the list of known names in
/// error messages and loading all read this one table.
/// </summary>
/// <remarks>
/// Each built-in class adds itself from its own file (a module initializer beside its <c>FromConfig</c>), so a
/// new built-in touches no switch or list elsewhere. Lookups try the built-ins first, then the registrations of
/// the load in progress, then the process-wide ones; nothing outside this table is ever instantiated.
/// </remarks>
/// <typeparam name="T">The concept's base type.</typeparam>
internal sealed class Registry<T>
    where T : class
{
    private readonly Dictionary<string, Func<ObjectConfig, T>> _classes;
    private readonly Dictionary<string, Func<string, T>> _names;
    private readonly Dictionary<string, Func<string, T>> _namesAnyCase = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _knownNames = [];
    private readonly Lock _gate = new();
    private readonly CustomEntries<T> _global;
    private readonly AsyncLocal<CustomEntries<T>?> _scope = new();
    private readonly string? _customHint;

    /// <summary>Creates an empty table.</summary>
    /// <param name="concept">What the entries are, for messages (<c>"layer"</c>, <c>"loss"</c>).</param>
    /// <param name="module">The Keras module built-ins are saved under (<c>"keras.layers"</c>).</param>
    /// <param name="names">How typed names and class names compare (optimizer names ignore case in Keras).</param>
    /// <param name="customHint">How to register a missing entry, for messages; <c>{0}</c> is the name looked for.</param>
    public Registry(string concept, string module, StringComparer? names = null, string? customHint = null)
    {
        Concept = concept;
        _customHint = customHint;
        Module = module;
        NameComparer = names ?? StringComparer.Ordinal;
        _classes = new(NameComparer);
        _names = new(NameComparer);
        _global = new CustomEntries<T>(NameComparer);
    }

    /// <summary>What the entries are, for messages.</summary>
    public string Concept { get; }

    /// <summary>The Keras module built-ins are saved under (the writer takes it from here).</summary>
    public string Module { get; }

    /// <summary>How typed names compare.</summary>
    public StringComparer NameComparer { get; }

    /// <summary>The built-in names users type, in registration order, for messages.</summary>
    public IReadOnlyList<string> KnownNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _knownNames];
            }
        }
    }

    /// <summary>How a user registers <paramref name="name"/>, to end an "unknown" message (empty when the concept has no custom entries).</summary>
    public string CustomHint(string name) => _customHint is null ? string.Empty : string.Format(System.Globalization.CultureInfo.InvariantCulture, _customHint, name);

    /// <summary>Registers a built-in class: its Keras class name and its <c>FromConfig</c>.</summary>
    public void AddClass(string className, Func<ObjectConfig, T> fromConfig)
    {
        lock (_gate)
        {
            _classes.Add(className, fromConfig);
        }
    }

    /// <summary>Registers a built-in class and the names users may type for it (created with its defaults).</summary>
    public void Add(string className, Func<ObjectConfig, T> fromConfig, params string[] names)
    {
        AddClass(className, fromConfig);
        AddNames(_ => fromConfig(ObjectConfig.Empty), names);
    }

    /// <summary>Registers names users may type for a built-in (<c>"mse"</c>); <paramref name="create"/> gets the name as typed.</summary>
    public void AddNames(Func<string, T> create, params string[] names)
    {
        lock (_gate)
        {
            foreach (string name in names)
            {
                _names.Add(name, create);
                _knownNames.Add(name);
            }
        }
    }

    /// <summary>
    /// Registers names that match in any case and before class names (Keras's compile checks
    /// <c>str(identifier).lower() in ["accuracy", "acc"]</c> before it looks the string up, so <c>"Accuracy"</c> is
    /// the shape-resolved accuracy there, not the class).
    /// </summary>
    public void AddNamesAnyCase(Func<string, T> create, params string[] names)
    {
        lock (_gate)
        {
            foreach (string name in names)
            {
                _namesAnyCase.Add(name, create);
                _knownNames.Add(name);
            }
        }
    }

    /// <summary>True when <paramref name="name"/> is a built-in name or class name.</summary>
    public bool IsBuiltIn(string name)
    {
        lock (_gate)
        {
            return _names.ContainsKey(name) || _namesAnyCase.ContainsKey(name) || _classes.ContainsKey(name);
        }
    }

    /// <summary>
    /// The object a typed identifier names: a built-in name, a built-in class name (with its defaults), or a
    /// custom registration; null when unknown.
    /// </summary>
    public T? TryGet(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        Func<string, T>? byName;
        Func<ObjectConfig, T>? byClass;
        lock (_gate)
        {
            if (!_names.TryGetValue(identifier, out byName))
            {
                _namesAnyCase.TryGetValue(identifier, out byName);
            }

            _classes.TryGetValue(identifier, out byClass);
        }

        if (byName is not null)
        {
            return byName(identifier);
        }

        if (byClass is not null)
        {
            return byClass(ObjectConfig.Empty);
        }

        return FindCustom(identifier, out var factory) ? factory(ObjectConfig.Empty) : null;
    }

    /// <summary>
    /// Rebuilds an object from its saved class name and config: a built-in class, then a custom registration under
    /// any of <paramref name="keys"/> (registered name, class name…); null when none matches.
    /// </summary>
    /// <remarks>
    /// The first key is the file's <c>registered_name</c>. When it differs from the class name (Keras's
    /// <c>"package&gt;Class"</c>) and is registered, it names a custom class unambiguously and wins over a built-in
    /// class of the same short name: a custom layer registered as <c>"my_package&gt;Dense"</c> is saved with class
    /// name <c>"Dense"</c>, and must not come back as a built-in Dense read from its own config.
    /// </remarks>
    public T? TryFromConfig(string className, ObjectConfig config, params ReadOnlySpan<string?> keys)
    {
        if (keys.Length > 0 && keys[0] is { } registered && !NameComparer.Equals(registered, className) && FindCustom(registered, out var named))
        {
            return named(config);
        }

        Func<ObjectConfig, T>? builtIn;
        lock (_gate)
        {
            _classes.TryGetValue(className, out builtIn);
        }

        if (builtIn is not null)
        {
            return builtIn(config);
        }

        foreach (string? key in keys)
        {
            if (key is not null && FindCustom(key, out var factory))
            {
                return factory(config);
            }
        }

        return null;
    }

    /// <summary>True when a custom entry is registered under <paramref name="name"/> (for this load or the process).</summary>
    public bool IsCustom(string name) => FindCustom(name, out _);

    /// <summary>The custom value registered under <paramref name="name"/> (a function, for function registries).</summary>
    public bool TryGetCustomValue<TValue>(string name, out TValue value)
        where TValue : class
    {
        var scoped = _scope.Value;
        if (scoped is not null && scoped.TryGetValue(name, out value))
        {
            return true;
        }

        lock (_gate)
        {
            return _global.TryGetValue(name, out value);
        }
    }

    /// <summary>The name <paramref name="value"/> (a function or a type) is registered under, or null.</summary>
    public string? CustomNameOf(object value)
    {
        var scoped = _scope.Value;
        if (scoped?.NameOf(value) is { } name)
        {
            return name;
        }

        lock (_gate)
        {
            return _global.NameOf(value);
        }
    }

    /// <summary>Adds a process-wide custom registration (Keras <c>register_keras_serializable</c>).</summary>
    public void RegisterGlobal(string name, Func<ObjectConfig, T> factory, object? identity = null)
    {
        lock (_gate)
        {
            _global.Add(name, factory, identity);
        }
    }

    /// <summary>A new, empty set of per-load registrations with this table's name comparison.</summary>
    public CustomEntries<T> NewEntries() => new(NameComparer);

    /// <summary>Makes <paramref name="entries"/> visible to lookups on this async flow; returns what was there before.</summary>
    public CustomEntries<T>? EnterScope(CustomEntries<T>? entries)
    {
        var previous = _scope.Value;
        _scope.Value = entries;
        return previous;
    }

    private bool FindCustom(string name, out Func<ObjectConfig, T> factory)
    {
        var scoped = _scope.Value;
        if (scoped is not null && scoped.TryGetFactory(name, out factory))
        {
            return true;
        }

        lock (_gate)
        {
            return _global.TryGetFactory(name, out factory);
        }
    }
}
