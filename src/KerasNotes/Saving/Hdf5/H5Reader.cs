using KerasNotes.Saving.Hdf5;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A guarded reader over one HDF5 file held in memory, a thin facade over our own bounded reader
/// (<see cref="Hdf5File"/>): a model file is untrusted input, so the reader never follows a link or storage
/// outside the file, never recurses, and decodes only the HDF5 subset Keras and our writer produce. Every failure
/// becomes a <see cref="ModelFormatException"/> naming the entry and HDF5 path; every dataset is checked for its
/// type and its exact shape (the shape the model expects) before a single element is read, so no size field
/// from the file ever decides an allocation.
/// </summary>
internal sealed class H5Reader : IDisposable
{
    private const int MaxChildren = Hdf5File.MaxChildren;
    private readonly Hdf5File _file;
    private readonly LoadContext _context;
    private readonly string _entryPrefix;
    private readonly long _length;

    public H5Reader(byte[] bytes, LoadContext context, string entryPrefix)
    {
        _context = context;
        _entryPrefix = entryPrefix;
        _length = bytes.LongLength;
        try
        {
            _file = Hdf5File.Open(bytes);
        }
        catch (Hdf5FormatException e)
        {
            throw context.Fail(entryPrefix.Length == 0 ? null : entryPrefix, $"not a readable HDF5 file: {e.Message}.", e);
        }
    }

    /// <summary>Nothing to release: the file is a byte array. Kept so callers scope the reader with <c>using</c>.</summary>
    public void Dispose()
    {
    }

    private string EntryFor(string path) => _entryPrefix.Length == 0 ? "/" + path.TrimStart('/') : $"{_entryPrefix}:/{path.TrimStart('/')}";

    public ModelFormatException Fail(string path, string reason, Exception? inner = null) => _context.Fail(EntryFor(path), reason, inner);

    // The tree was checked when the file was opened; what can still fail is data decoded on demand (global heap
    // strings), which the bounded reader reports as Hdf5FormatException.
    private T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Hdf5FormatException e)
        {
            throw Fail(path, $"damaged HDF5 data: {e.Message}.", e);
        }
    }

    public bool Exists(string path) => Guard(path, () => _file.Find(path) is not null);

    public bool IsGroup(string path) => Guard(path, () => _file.Find(path) is { Kind: ObjectKind.Group });

    private ObjectHeader Object(string path) => path.Length == 0 ? _file.Root : _file.Find(path) ?? throw Fail(path, "missing.");

    /// <summary>The names of a group's children (at most 100,000), in the file's order.</summary>
    public IReadOnlyList<string> ChildNames(string path) => Guard(path, () =>
    {
        var obj = Object(path);
        if (obj.Kind != ObjectKind.Group)
        {
            throw Fail(path, $"expected a group, found {(obj.Kind == ObjectKind.Dataset ? "a dataset" : "a named datatype")}.");
        }

        var links = _file.Links(obj).All;
        var names = new List<string>(links.Count);
        foreach (var link in links)
        {
            names.Add(link.Name);
        }

        return (IReadOnlyList<string>)names;
    });

    /// <summary>Reads a float32 dataset whose shape must equal <paramref name="expected"/>.</summary>
    /// <param name="path">The dataset's path.</param>
    /// <param name="expected">The shape the model's variable has.</param>
    /// <param name="owner">What the variable belongs to, for messages (e.g. <c>layer 'dense' (Dense) weight 0 'kernel'</c>).</param>
    public float[] ReadFloats(string path, Shape expected, string owner) => Guard(path, () =>
    {
        var ds = Dataset(path, owner);
        var (type, space) = (ds.Type!, ds.Space!);
        if (space.Kind == DataspaceKind.Null)
        {
            throw Fail(path, $"{owner}: the dataset holds no data (null dataspace); expected shape {expected}.");
        }

        ulong[] found = space.Dims;
        bool same = found.Length == expected.Rank;
        for (int i = 0; same && i < found.Length; i++)
        {
            same = found[i] == (ulong)expected[i];
        }

        if (!same)
        {
            throw Fail(path, $"{owner}: expected shape {expected}, found [{string.Join(", ", found)}].");
        }

        if (ds.Attribute("dtype") is not null && ReadStringAttribute(ds, path, "dtype") is string declared && declared != "float32")
        {
            throw Fail(path, $"{owner}: weights of dtype '{declared}' are not supported; expected float32.");
        }

        if (type.Class != DatatypeClass.FloatingPoint || type.Size != 4 || type.BigEndian)
        {
            throw Fail(path, $"{owner}: expected float32 values, found {type}.");
        }

        long count = expected.Size;
        if (count * 4L > _length)
        {
            throw Fail(path, $"{owner}: {count} float32 values cannot fit in a {_length}-byte file.");
        }

        var source = Values.DatasetBytes(_file, ds, count);
        var buffer = new float[count];
        Values.CopyFloats(source, buffer);
        return buffer;
    });

    /// <summary>
    /// Reads an integer scalar, such as the optimizer's iteration count: int64 (what Keras writes on its default
    /// TensorFlow backend), int32 (JAX and PyTorch backends), or a float32/float64 holding a whole number.
    /// </summary>
    public long ReadIntegerScalar(string path, string owner) => Guard(path, () =>
    {
        var ds = ScalarDataset(path, owner);
        var t = ds.Type!;
        if (t.BigEndian || t.Size is not (4 or 8) || t.Class is not (DatatypeClass.FixedPoint or DatatypeClass.FloatingPoint))
        {
            throw Fail(path, $"{owner}: expected an int64 or int32 scalar (or a float holding a whole number), found {t}.");
        }

        if (t.Class == DatatypeClass.FixedPoint)
        {
            return Values.Integer(t, Values.DatasetBytes(_file, ds, 1));
        }

        double value = Values.Float(t, Values.DatasetBytes(_file, ds, 1));
        return double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) <= MaxExactWholeDouble
            ? (long)value
            : throw Fail(path, $"{owner}: expected a whole number from -2^53 to 2^53, found the {t} value {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
    });

    // 2^53: the largest whole number up to which every whole double is exact.
    private const double MaxExactWholeDouble = 9007199254740992.0;

    /// <summary>Reads a float32 scalar, such as the optimizer's learning rate.</summary>
    public float ReadFloatScalar(string path, string owner) => Guard(path, () =>
    {
        var ds = ScalarDataset(path, owner);
        var t = ds.Type!;
        if (t.Class != DatatypeClass.FloatingPoint || t.BigEndian || t.Size is not (4 or 8))
        {
            throw Fail(path, $"{owner}: expected a float32 scalar, found {t}.");
        }

        return (float)Values.Float(t, Values.DatasetBytes(_file, ds, 1));
    });

    private ObjectHeader Dataset(string path, string owner)
    {
        var obj = Object(path);
        return obj.Kind == ObjectKind.Dataset ? obj : throw Fail(path, $"{owner}: expected a dataset, found {(obj.Kind == ObjectKind.Group ? "a group" : "a named datatype")}.");
    }

    // The dataset at path, checked to hold one value (a scalar, or Keras's shape-[1] form of one).
    private ObjectHeader ScalarDataset(string path, string owner)
    {
        var ds = Dataset(path, owner);
        var space = ds.Space!;
        bool scalar = space.Kind == DataspaceKind.Scalar || (space.Kind == DataspaceKind.Simple && space.Dims is [1]);
        if (!scalar)
        {
            throw Fail(path, $"{owner}: expected a scalar, found shape {space}.");
        }

        return ds;
    }

    /// <summary>Reads a scalar string attribute, or null when it is absent.</summary>
    public string? ReadStringAttribute(string path, string name) => Guard(path, () => ReadStringAttribute(Object(path), path, name));

    private string? ReadStringAttribute(ObjectHeader obj, string path, string name)
    {
        if (obj.Attribute(name) is not { } a)
        {
            return null;
        }

        if (!a.Type.IsText)
        {
            throw Fail(path, $"attribute '{name}' should be a string, found {a.Type}.");
        }

        bool one = a.Space.Kind == DataspaceKind.Scalar || (a.Space.Kind == DataspaceKind.Simple && a.Space.Dims is [1]);
        if (!one)
        {
            throw Fail(path, $"attribute '{name}' should be one string, found shape ({string.Join(", ", a.Space.Dims)}).");
        }

        long budget = _length;
        return Values.Strings(_file, a.Type, Data(a), 1, ref budget)[0];
    }

    /// <summary>
    /// Reads a 1-D list-of-strings attribute (<c>layer_names</c>, <c>weight_names</c>), accepting Keras's empty
    /// float64 array for an empty list and the <c>name0</c>, <c>name1</c>, … split of long lists; null when absent.
    /// </summary>
    public string[]? ReadStringListAttribute(string path, string name) => Guard(path, () =>
    {
        var obj = Object(path);
        long budget = _length; // all the names of one list, however split, come from the file's bytes
        if (obj.Attribute(name) is { } whole)
        {
            return ReadList(whole, path, ref budget);
        }

        if (obj.Attribute(name + "0") is null)
        {
            return null;
        }

        var all = new List<string>();
        for (int k = 0; k < 10_000 && obj.Attribute(name + k) is { } part; k++)
        {
            all.AddRange(ReadList(part, path, ref budget));
        }

        return [.. all];
    });

    private string[] ReadList(Hdf5Attribute a, string path, ref long budget)
    {
        var space = a.Space;
        if (space.Kind == DataspaceKind.Simple && space.Dims is [0])
        {
            return [];
        }

        if (!a.Type.IsText || space.Kind != DataspaceKind.Simple || space.Dims.Length != 1)
        {
            throw Fail(path, $"attribute '{a.Name}' should be a list of strings, found {a.Type} of shape ({string.Join(", ", space.Dims)}).");
        }

        if (space.Dims[0] > MaxChildren)
        {
            throw Fail(path, $"attribute '{a.Name}' lists {space.Dims[0]} names, more than the supported {MaxChildren}.");
        }

        return Values.Strings(_file, a.Type, Data(a), (int)space.Dims[0], ref budget);
    }

    private ReadOnlySpan<byte> Data(Hdf5Attribute a) => new(_file.Bytes, (int)a.DataAt, (int)a.DataLength);
}
