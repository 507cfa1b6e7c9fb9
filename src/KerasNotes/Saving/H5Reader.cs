using PureHDF;

namespace KerasNotes.Saving;

/// <summary>
/// A guarded reader over one HDF5 file held in memory. Every call into the HDF5 library is wrapped so that any
/// failure becomes a <see cref="ModelFormatException"/>; every dataset is checked for its type and its exact
/// shape (the shape the model expects) before a single element is read, so no size field from the file ever
/// decides an allocation.
/// </summary>
internal sealed class H5Reader : IDisposable
{
    private const int MaxChildren = 100_000;
    private readonly PureHDF.VOL.Native.NativeFile _root;
    private readonly LoadContext _context;
    private readonly string _entryPrefix;
    private readonly long _length;

    public H5Reader(byte[] bytes, LoadContext context, string entryPrefix)
    {
        _context = context;
        _entryPrefix = entryPrefix;
        _length = bytes.LongLength;
        if (Hdf5Precheck.Check(bytes) is string why)
        {
            throw context.Fail(entryPrefix.Length == 0 ? null : entryPrefix, $"not a readable HDF5 file: {why}.");
        }

        _root = Guard(string.Empty, () => H5File.Open(new MemoryStream(bytes, writable: false), leaveOpen: false));
    }

    public void Dispose() => _root.Dispose();

    private string EntryFor(string path) => _entryPrefix.Length == 0 ? "/" + path.TrimStart('/') : $"{_entryPrefix}:/{path.TrimStart('/')}";

    public ModelFormatException Fail(string path, string reason, Exception? inner = null) => _context.Fail(EntryFor(path), reason, inner);

    private T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is not (StackOverflowException or AccessViolationException))
        {
            throw Fail(path, $"damaged HDF5 data ({e.GetType().Name}: {e.Message})", e);
        }
    }

    public bool Exists(string path) => Guard(path, () => _root.LinkExists(path));

    public bool IsGroup(string path) => Guard(path, () => _root.LinkExists(path) && _root.Get(path) is IH5Group);

    private IH5Object Object(string path) => path.Length == 0 ? _root : Guard(path, () => _root.LinkExists(path) ? _root.Get(path) : throw Fail(path, "missing."));

    /// <summary>The names of a group's children (at most 100,000), in no particular order.</summary>
    public IReadOnlyList<string> ChildNames(string path) => Guard(path, () =>
    {
        var obj = Object(path);
        if (obj is not IH5Group g)
        {
            throw Fail(path, "expected a group, found a dataset.");
        }

        var names = new List<string>();
        foreach (var child in g.Children())
        {
            if (names.Count >= MaxChildren)
            {
                throw Fail(path, $"more than {MaxChildren} children.");
            }

            names.Add(child.Name);
        }

        return (IReadOnlyList<string>)names;
    });

    /// <summary>Reads a float32 dataset whose shape must equal <paramref name="expected"/>.</summary>
    /// <param name="path">The dataset's path.</param>
    /// <param name="expected">The shape the model's variable has.</param>
    /// <param name="owner">What the variable belongs to, for messages (e.g. <c>layer 'dense' (Dense) weight 0 'kernel'</c>).</param>
    public float[] ReadFloats(string path, Shape expected, string owner) => Guard(path, () =>
    {
        if (Object(path) is not IH5Dataset ds)
        {
            throw Fail(path, $"{owner}: expected a dataset, found a group.");
        }

        var (cls, size, spaceType, dims) = (ds.Type.Class, ds.Type.Size, ds.Space.Type, ds.Space.Dimensions);
        if (spaceType == H5DataspaceType.Null)
        {
            throw Fail(path, $"{owner}: the dataset holds no data (null dataspace); expected shape {expected}.");
        }

        ulong[] found = spaceType == H5DataspaceType.Scalar ? [] : dims;
        bool same = found.Length == expected.Rank;
        for (int i = 0; same && i < found.Length; i++)
        {
            same = found[i] == (ulong)expected[i];
        }

        if (!same)
        {
            throw Fail(path, $"{owner}: expected shape {expected}, found [{string.Join(", ", found)}].");
        }

        if (ds.AttributeExists("dtype") && ReadStringAttribute(ds, path, "dtype") is string declared && declared != "float32")
        {
            throw Fail(path, $"{owner}: weights of dtype '{declared}' are not supported; expected float32.");
        }

        if (cls != H5DataTypeClass.FloatingPoint || size != 4)
        {
            string kind = cls == H5DataTypeClass.FloatingPoint && size == 8 ? "float64" : $"{cls}/{size} bytes";
            throw Fail(path, $"{owner}: expected float32 values, found {kind}.");
        }

        long count = expected.Size;
        if (count * 4L > _length)
        {
            throw Fail(path, $"{owner}: {count} float32 values cannot fit in a {_length}-byte file.");
        }

        var buffer = new float[count];
        if (count > 0)
        {
            ds.Read<float[]>(buffer);
        }

        return buffer;
    });

    /// <summary>Reads an integer scalar (int64 or int32), such as the optimizer's iteration count.</summary>
    public long ReadIntegerScalar(string path, string owner) => Guard(path, () =>
    {
        var ds = ScalarDataset(path, owner);
        var t = ds.Type;
        return t.Class switch
        {
            H5DataTypeClass.FixedPoint when t.Size == 8 => ds.Read<long[]>()[0],
            H5DataTypeClass.FixedPoint when t.Size == 4 => ds.Read<int[]>()[0],
            _ => throw Fail(path, $"{owner}: expected an int64 or int32 scalar, found {t.Class}/{t.Size} bytes."),
        };
    });

    /// <summary>Reads a float32 scalar, such as the optimizer's learning rate.</summary>
    public float ReadFloatScalar(string path, string owner) => Guard(path, () =>
    {
        var ds = ScalarDataset(path, owner);
        var t = ds.Type;
        return t.Class switch
        {
            H5DataTypeClass.FloatingPoint when t.Size == 4 => ds.Read<float[]>()[0],
            H5DataTypeClass.FloatingPoint when t.Size == 8 => (float)ds.Read<double[]>()[0],
            _ => throw Fail(path, $"{owner}: expected a float32 scalar, found {t.Class}/{t.Size} bytes."),
        };
    });

    // The dataset at path, checked to hold one value (a scalar, or Keras's shape-[1] form of one).
    private IH5Dataset ScalarDataset(string path, string owner)
    {
        if (Object(path) is not IH5Dataset ds)
        {
            throw Fail(path, $"{owner}: expected a dataset, found a group.");
        }

        bool scalar = ds.Space.Type == H5DataspaceType.Scalar || (ds.Space.Type == H5DataspaceType.Simple && ds.Space.Dimensions is [1]);
        if (!scalar)
        {
            throw Fail(path, $"{owner}: expected a scalar, found shape [{string.Join(", ", ds.Space.Dimensions)}].");
        }

        return ds;
    }

    /// <summary>Reads a scalar string attribute, or null when it is absent.</summary>
    public string? ReadStringAttribute(string path, string name) => Guard(path, () => ReadStringAttribute(Object(path), path, name));

    private string? ReadStringAttribute(IH5Object obj, string path, string name)
    {
        if (!obj.AttributeExists(name))
        {
            return null;
        }

        var a = obj.Attribute(name);
        if (!IsString(a.Type))
        {
            throw Fail(path, $"attribute '{name}' should be a string, found {a.Type.Class}.");
        }

        if (a.Space.Type == H5DataspaceType.Scalar)
        {
            return a.Read<string>();
        }

        if (a.Space.Type == H5DataspaceType.Simple && a.Space.Dimensions is [1])
        {
            return a.Read<string[]>()[0];
        }

        throw Fail(path, $"attribute '{name}' should be one string, found shape ({string.Join(", ", a.Space.Dimensions)}).");
    }

    /// <summary>
    /// Reads a 1-D list-of-strings attribute (<c>layer_names</c>, <c>weight_names</c>), accepting Keras's empty
    /// float64 array for an empty list and the <c>name0</c>, <c>name1</c>, … split of long lists; null when absent.
    /// </summary>
    public string[]? ReadStringListAttribute(string path, string name) => Guard(path, () =>
    {
        var obj = Object(path);
        if (obj.AttributeExists(name))
        {
            return ReadList(obj, path, name);
        }

        if (!obj.AttributeExists(name + "0"))
        {
            return null;
        }

        var all = new List<string>();
        for (int k = 0; k < 10_000 && obj.AttributeExists(name + k); k++)
        {
            all.AddRange(ReadList(obj, path, name + k));
        }

        return [.. all];
    });

    private string[] ReadList(IH5Object obj, string path, string name)
    {
        var a = obj.Attribute(name);
        var space = a.Space;
        if (space.Type == H5DataspaceType.Simple && space.Dimensions is [0])
        {
            return [];
        }

        if (!IsString(a.Type) || space.Type != H5DataspaceType.Simple || space.Dimensions.Length != 1)
        {
            throw Fail(path, $"attribute '{name}' should be a list of strings, found {a.Type.Class} of shape ({string.Join(", ", space.Dimensions)}).");
        }

        if (space.Dimensions[0] > MaxChildren)
        {
            throw Fail(path, $"attribute '{name}' lists {space.Dimensions[0]} names, more than the supported {MaxChildren}.");
        }

        return a.Read<string[]>();
    }

    private static bool IsString(IH5DataType t) =>
        t.Class == H5DataTypeClass.String ||
        (t.Class == H5DataTypeClass.VariableLength && t.VariableLength.BaseType.Class == H5DataTypeClass.FixedPoint && t.VariableLength.BaseType.Size == 1);
}
