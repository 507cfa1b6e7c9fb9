using System.Text;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// A hard link from a group to an object header: the only kind of link we follow. Soft links (which can form
/// cycles), external links (which name other files) and user-defined links are refused where they are decoded,
/// whether they come from a link message or from an old-style symbol table.
/// </summary>
internal readonly record struct Hdf5Link(string Name, long Address)
{
    /// <summary>Decodes a link message (spec IV.A.2.g); only hard links are accepted.</summary>
    public static Hdf5Link Parse(ByteCursor c, long fileLength)
    {
        byte version = c.U8();
        if (version != 1)
        {
            throw new Hdf5FormatException($"{c.What}: link message version {version} is not 1");
        }

        byte flags = c.U8();
        int type = (flags & 0x08) != 0 ? c.U8() : 0;
        if ((flags & 0x04) != 0)
        {
            c.Skip(8); // creation order
        }

        if ((flags & 0x10) != 0)
        {
            c.U8(); // name character set: ASCII or UTF-8, both decoded as UTF-8
        }

        ulong nameLength = c.Sized(1 << (flags & 0x03));
        if (nameLength == 0 || nameLength > (ulong)c.Remaining)
        {
            throw new Hdf5FormatException($"{c.What}: link name of {nameLength} bytes does not fit the {c.Remaining} bytes left in its message");
        }

        string name = Encoding.UTF8.GetString(c.Take((long)nameLength));
        switch (type)
        {
            case 0:
                return new Hdf5Link(name, CheckTarget(c.U64(), fileLength, c.What, name));
            case 1:
                throw new Hdf5FormatException($"{c.What}: '{name}' is a soft link; soft links are refused (Keras does not write them, and they can form cycles)");
            case 64:
                throw new Hdf5FormatException($"{c.What}: '{name}' is an external link to another file; external links are refused");
            default:
                throw new Hdf5FormatException($"{c.What}: '{name}' is a user-defined link (type {type}); only hard links are supported");
        }
    }

    /// <summary>Checks that a link target is an address inside the file (where an object header must then be found).</summary>
    public static long CheckTarget(ulong address, long fileLength, string what, string name)
    {
        if (address == ByteCursor.Undefined || address >= (ulong)fileLength)
        {
            throw new Hdf5FormatException($"{what}: link '{name}' points at offset {(address == ByteCursor.Undefined ? "undefined" : address.ToString(System.Globalization.CultureInfo.InvariantCulture))}, outside the {fileLength}-byte file");
        }

        return (long)address;
    }
}
