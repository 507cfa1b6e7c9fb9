namespace KerasNotes.Saving.Hdf5;

/// <summary>The three dataspace kinds HDF5 has.</summary>
internal enum DataspaceKind
{
    Scalar,
    Simple,
    Null,
}

/// <summary>
/// A dataspace message (spec IV.A.2.b): scalar, simple (rank at most 32, as HDF5 itself allows) or null. The
/// element count is computed with overflow checks; callers compare it with the bytes actually present before
/// allocating anything.
/// </summary>
internal sealed class Dataspace
{
    private const int MaxRank = 32;

    private Dataspace(DataspaceKind kind, ulong[] dims, ulong count)
    {
        Kind = kind;
        Dims = dims;
        Count = count;
    }

    public DataspaceKind Kind { get; }

    /// <summary>The current dimensions (empty for scalar and null).</summary>
    public ulong[] Dims { get; }

    /// <summary>Elements held: 1 for scalar, 0 for null, the product of the dimensions for simple.</summary>
    public ulong Count { get; }

    public static Dataspace Parse(ref ByteCursor c)
    {
        byte version = c.U8();
        int rank = c.U8();
        byte flags = c.U8();
        DataspaceKind kind;
        if (version == 1)
        {
            c.Skip(5);
            kind = rank == 0 ? DataspaceKind.Scalar : DataspaceKind.Simple;
        }
        else if (version == 2)
        {
            byte type = c.U8();
            kind = type switch
            {
                0 => DataspaceKind.Scalar,
                1 => DataspaceKind.Simple,
                2 => DataspaceKind.Null,
                _ => throw new Hdf5FormatException($"{c.What}: dataspace type {type} is not scalar (0), simple (1) or null (2)"),
            };
        }
        else
        {
            throw new Hdf5FormatException($"{c.What}: dataspace message version {version} is not 1 or 2");
        }

        if (rank > MaxRank)
        {
            throw new Hdf5FormatException($"{c.What}: dataspace of rank {rank}, more than HDF5's {MaxRank}");
        }

        if (kind != DataspaceKind.Simple)
        {
            return new Dataspace(kind, [], kind == DataspaceKind.Scalar ? 1UL : 0UL);
        }

        if (c.Remaining < rank * 8L)
        {
            throw new Hdf5FormatException($"{c.What}: dataspace of rank {rank} needs {rank * 8} bytes of dimensions, only {c.Remaining} remain");
        }

        var dims = new ulong[rank];
        ulong count = 1;
        bool overflow = false;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = c.U64();
            if (dims[i] != 0 && count > ulong.MaxValue / dims[i])
            {
                overflow = true;
            }

            count = overflow ? ulong.MaxValue : count * dims[i];
        }

        _ = flags; // maximum dimensions may follow; they do not matter for reading
        return new Dataspace(kind, dims, count);
    }

    /// <summary>The shape as Keras prints it, e.g. <c>[4, 8]</c>, or <c>[]</c> for a scalar.</summary>
    public override string ToString() => Kind == DataspaceKind.Null ? "null (no data)" : $"[{string.Join(", ", Dims)}]";
}
