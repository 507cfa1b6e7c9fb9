namespace KerasNotes.Saving.Hdf5;

/// <summary>The datatype classes we decode; any other class is kept only to be named in a refusal.</summary>
internal enum DatatypeClass
{
    FixedPoint = 0,
    FloatingPoint = 1,
    String = 3,
    VariableLength = 9,
    Unsupported = -1,
}

/// <summary>
/// A datatype message (spec IV.A.2.d), reduced to what Keras files use: little- or big-endian integers and IEEE
/// floats, fixed-length strings, and variable-length strings (or sequences of bytes, h5py's other string form)
/// whose bytes live in the global heap. Other classes (compound, enum, array, reference, …) are recorded by
/// number so a read of them can say what it found.
/// </summary>
internal sealed class Datatype
{
    private Datatype(DatatypeClass cls, int rawClass, uint size)
    {
        Class = cls;
        RawClass = rawClass;
        Size = size;
    }

    public DatatypeClass Class { get; }

    /// <summary>The class number as written in the file (0–10).</summary>
    public int RawClass { get; }

    /// <summary>Bytes per element (16 for a variable-length element: length, heap address, index).</summary>
    public uint Size { get; }

    public bool BigEndian { get; private init; }

    public bool Signed { get; private init; }

    /// <summary>For fixed-length strings: 0 null-terminated, 1 null-padded, 2 space-padded.</summary>
    public int Padding { get; private init; }

    /// <summary>For variable-length types: true for a string, false for a sequence of <see cref="Base"/>.</summary>
    public bool IsVlenString { get; private init; }

    /// <summary>For variable-length sequences: the element type (only integers and floats are decoded).</summary>
    public Datatype? Base { get; private init; }

    /// <summary>True for the two forms h5py gives text: fixed-length strings, and variable-length strings or byte sequences.</summary>
    public bool IsText => Class == DatatypeClass.String ||
        (Class == DatatypeClass.VariableLength && (IsVlenString || Base is { Class: DatatypeClass.FixedPoint, Size: 1 }));

    /// <summary>Decodes one datatype message; the vlen base type is decoded one level deep, never recursively.</summary>
    public static Datatype Parse(ref ByteCursor c) => Parse(ref c, allowVlen: true);

    private static Datatype Parse(ref ByteCursor c, bool allowVlen)
    {
        byte classAndVersion = c.U8();
        int version = classAndVersion >> 4, rawClass = classAndVersion & 0x0F;
        byte bits0 = c.U8();
        c.Skip(2); // the other class bit fields: padding, sign location, character set details we do not need
        uint size = c.U32();
        if (version is < 1 or > 4)
        {
            throw new Hdf5FormatException($"{c.What}: datatype message version {version} is not one of 1–4");
        }

        if (size == 0)
        {
            // HDF5 has no zero-size types; allowing one would let a huge element count pass every bytes-present check.
            throw new Hdf5FormatException($"{c.What}: datatype of class {rawClass} with elements of 0 bytes");
        }

        switch (rawClass)
        {
            case 0:
                c.Skip(4); // bit offset, precision
                return new Datatype(DatatypeClass.FixedPoint, rawClass, size) { BigEndian = (bits0 & 0x01) != 0, Signed = (bits0 & 0x08) != 0 };
            case 1:
                c.Skip(12); // bit offset, precision, exponent and mantissa layout, bias
                if ((bits0 & 0x40) != 0)
                {
                    throw new Hdf5FormatException($"{c.What}: VAX-ordered floating point is not supported; expected IEEE little-endian");
                }

                return new Datatype(DatatypeClass.FloatingPoint, rawClass, size) { BigEndian = (bits0 & 0x01) != 0 };
            case 3:
                return new Datatype(DatatypeClass.String, rawClass, size) { Padding = bits0 & 0x0F };
            case 9 when allowVlen:
                {
                    bool isString = (bits0 & 0x0F) == 1;
                    var baseType = Parse(ref c, allowVlen: false);
                    return new Datatype(DatatypeClass.VariableLength, rawClass, size) { IsVlenString = isString, Base = baseType };
                }

            default:
                // Properties of other classes are not decoded: their length is bounded by the enclosing message.
                return new Datatype(DatatypeClass.Unsupported, rawClass, size);
        }
    }

    /// <summary>A short description for messages, e.g. <c>float64</c>, <c>int32</c>, <c>string</c> or <c>compound (class 6)</c>.</summary>
    public override string ToString() => Class switch
    {
        DatatypeClass.FixedPoint => $"{(Signed ? "int" : "uint")}{Size * 8}{(BigEndian ? " big-endian" : string.Empty)}",
        DatatypeClass.FloatingPoint => $"float{Size * 8}{(BigEndian ? " big-endian" : string.Empty)}",
        DatatypeClass.String => $"fixed-length string of {Size} bytes",
        DatatypeClass.VariableLength => IsText ? "variable-length string" : $"variable-length sequence of {Base}",
        _ => RawClass switch
        {
            2 => "time (class 2)",
            4 => "bitfield (class 4)",
            5 => "opaque (class 5)",
            6 => "compound (class 6)",
            7 => "reference (class 7)",
            8 => "enum (class 8)",
            9 => "nested variable-length (class 9)",
            10 => "array (class 10)",
            _ => $"unknown datatype class {RawClass}",
        },
    };
}
