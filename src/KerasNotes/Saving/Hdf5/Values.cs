using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Decodes dataset and attribute elements of the supported datatypes. Callers check type and shape first; the
/// byte counts here are checked again against what is stored, and every allocation is sized by data that is
/// present in the file, never by a length field alone.
/// </summary>
internal static class Values
{
    /// <summary>The stored bytes of a dataset holding <paramref name="count"/> elements of its datatype's size.</summary>
    public static ReadOnlySpan<byte> DatasetBytes(Hdf5File file, ObjectHeader dataset, long count)
    {
        var layout = dataset.Layout!;
        long elementSize = dataset.Type!.Size;
        if (count == 0)
        {
            return [];
        }

        if (layout.Address < 0)
        {
            throw new Hdf5FormatException($"dataset at offset {dataset.Address}: its storage was never written, yet it should hold {count} elements");
        }

        if (elementSize == 0 || count > layout.Size / elementSize)
        {
            throw new Hdf5FormatException($"dataset at offset {dataset.Address}: {count} elements of {elementSize} bytes need more than the {layout.Size} bytes stored");
        }

        return new ReadOnlySpan<byte>(file.Bytes, (int)layout.Address, (int)(count * elementSize));
    }

    /// <summary>Copies little-endian float32 values into <paramref name="destination"/>.</summary>
    public static void CopyFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * 4, 4));
        }
    }

    /// <summary>
    /// Decodes <paramref name="count"/> text elements from <paramref name="data"/>. The strings' total length is
    /// charged to <paramref name="textBudget"/> (the file's length for one list), so a list whose entries all name
    /// one large heap object cannot make us allocate the object once per entry.
    /// </summary>
    public static string[] Strings(Hdf5File file, Datatype type, ReadOnlySpan<byte> data, int count, ref long textBudget)
    {
        var result = new string[count];
        int size = (int)type.Size;
        for (int i = 0; i < count; i++)
        {
            var element = data.Slice(i * size, size);
            ReadOnlySpan<byte> text;
            if (type.Class == DatatypeClass.String)
            {
                text = type.Padding == 2 ? element.TrimEnd((byte)' ') : element;
            }
            else
            {
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(element);
                if (length == 0)
                {
                    result[i] = string.Empty;
                    continue;
                }

                ulong address = BinaryPrimitives.ReadUInt64LittleEndian(element[4..]);
                uint index = BinaryPrimitives.ReadUInt32LittleEndian(element[12..]);
                var stored = file.GlobalHeap.Object(address, index);
                if (length > stored.Length)
                {
                    throw new Hdf5FormatException($"variable-length string of {length} bytes, but its global heap object at offset {address} holds {stored.Length}");
                }

                text = stored[..(int)length];
            }

            int nul = text.IndexOf((byte)0);
            if (nul >= 0)
            {
                text = text[..nul];
            }

            textBudget -= text.Length;
            if (textBudget < 0)
            {
                throw new Hdf5FormatException($"{count} strings add up to more text than the {file.Length}-byte file holds (their entries share heap objects)");
            }

            result[i] = Encoding.UTF8.GetString(text);
        }

        return result;
    }

    /// <summary>One little-endian integer of 4 or 8 bytes.</summary>
    public static long Integer(Datatype type, ReadOnlySpan<byte> element) => (type.Size, type.Signed) switch
    {
        (8, _) => BinaryPrimitives.ReadInt64LittleEndian(element),
        (4, true) => BinaryPrimitives.ReadInt32LittleEndian(element),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(element),
    };

    /// <summary>One little-endian IEEE float of 4 or 8 bytes.</summary>
    public static double Float(Datatype type, ReadOnlySpan<byte> element) =>
        type.Size == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(element) : BinaryPrimitives.ReadSingleLittleEndian(element);
}
