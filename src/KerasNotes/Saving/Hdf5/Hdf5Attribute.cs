using System.Text;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// An attribute message (spec IV.A.2.m), versions 1–3, stored in its object's header. Its datatype, dataspace and
/// the extent of its raw data are decoded and checked when the header is read: the data (elements × element size)
/// must fit inside the message, so reading it later never looks past the message.
/// </summary>
internal sealed class Hdf5Attribute
{
    private Hdf5Attribute(string name, Datatype type, Dataspace space, long dataAt, long dataLength)
    {
        Name = name;
        Type = type;
        Space = space;
        DataAt = dataAt;
        DataLength = dataLength;
    }

    public string Name { get; }

    public Datatype Type { get; }

    public Dataspace Space { get; }

    /// <summary>File offset of the attribute's raw data.</summary>
    public long DataAt { get; }

    /// <summary>Bytes of raw data: exactly elements × element size.</summary>
    public long DataLength { get; }

    public static Hdf5Attribute Parse(ByteCursor c)
    {
        byte version = c.U8();
        byte flags = c.U8();
        int nameSize = c.U16(), typeSize = c.U16(), spaceSize = c.U16();
        if (version is < 1 or > 3)
        {
            throw new Hdf5FormatException($"{c.What}: attribute message version {version} is not 1, 2 or 3");
        }

        if (version >= 2 && (flags & 0x03) != 0)
        {
            throw new Hdf5FormatException($"{c.What}: attribute with a shared (committed) datatype or dataspace is not supported");
        }

        if (version == 3)
        {
            c.U8(); // name encoding: ASCII or UTF-8, both decoded as UTF-8
        }

        // Version 1 pads the name, datatype and dataspace to multiples of 8 bytes.
        int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
        var nameBytes = c.Take(Pad(nameSize))[..nameSize];
        int nul = nameBytes.IndexOf((byte)0);
        string name = Encoding.UTF8.GetString(nul >= 0 ? nameBytes[..nul] : nameBytes);
        var typeCursor = c.Slice(Pad(typeSize), "attribute datatype");
        var type = Datatype.Parse(ref typeCursor);
        var spaceCursor = c.Slice(Pad(spaceSize), "attribute dataspace");
        var space = Dataspace.Parse(ref spaceCursor);
        ulong count = space.Count;
        if (type.Class == DatatypeClass.VariableLength && type.Size != 16)
        {
            throw new Hdf5FormatException($"{c.What}: attribute '{name}' has variable-length elements of {type.Size} bytes; expected 16");
        }

        if (count != 0 && type.Size != 0 && count > (ulong)c.Remaining / type.Size)
        {
            throw new Hdf5FormatException($"{c.What}: attribute '{name}' claims {count} elements of {type.Size} bytes, but its message holds only {c.Remaining} bytes of data");
        }

        long length = (long)(count * type.Size);
        return new Hdf5Attribute(name, type, space, c.Position, length);
    }
}
