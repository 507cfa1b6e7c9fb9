using System.Buffers.Binary;
using System.IO.Compression;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>
/// Zip-level mutations of a .keras archive: the sizes, CRC, compression method, flags and name fields of the local
/// and central headers, the end-of-central-directory counts and offsets, and archives rebuilt with a duplicate
/// member, a renamed member or another compression.
/// </summary>
internal sealed class ZipMutator : IMutator
{
    private static readonly uint[] s_sizes = [0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 50_000_000];
    private static readonly ushort[] s_methods = [1, 6, 9, 12, 14, 93, 95, 98, 99, 0xFFFF];
    private static readonly string[] s_names = ["../config.json", "/config.json", "config.json/", "Config.json", "config.json\\", "dir/config.json", "model.weights.npz", ""];

    public string Name => "zip";

    public Mutant Mutate(byte[] source, System.Random rng)
    {
        var d = (byte[])source.Clone();
        var central = Offsets(d, "PK\u0001\u0002"u8, 46);
        var local = Offsets(d, "PK\u0003\u0004"u8, 30);
        var end = Offsets(d, "PK\u0005\u0006"u8, 22);
        switch (rng.Next(10))
        {
            case 0 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    uint v = Size(d, at + 24, rng);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at + 24), v);
                    return new Mutant(d, $"central uncompressed size of {NameAt(d, at + 46, at + 28)} = {v}");
                }

            case 1 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    uint v = Size(d, at + 20, rng);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at + 20), v);
                    return new Mutant(d, $"central compressed size of {NameAt(d, at + 46, at + 28)} = {v}");
                }

            case 2 when local.Count > 0:
                {
                    int at = local[rng.Next(local.Count)];
                    int field = rng.Next(2) == 0 ? 18 : 22;
                    uint v = Size(d, at + field, rng);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at + field), v);
                    return new Mutant(d, $"local {(field == 18 ? "compressed" : "uncompressed")} size of {NameAt(d, at + 30, at + 26)} = {v}");
                }

            case 3 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    uint crc = (uint)rng.Next() ^ 0x5A5A_5A5Au;
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at + 16), crc);
                    foreach (int l in local.Where(l => NameAt(d, l + 30, l + 26) == NameAt(d, at + 46, at + 28)))
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(l + 14), crc);
                    }

                    return new Mutant(d, $"CRC of {NameAt(d, at + 46, at + 28)} = {crc:x8}");
                }

            case 4 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    ushort method = s_methods[rng.Next(s_methods.Length)];
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at + 10), method);
                    if (rng.Next(2) == 0)
                    {
                        foreach (int l in local)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(l + 8), method);
                        }
                    }

                    return new Mutant(d, $"compression method of {NameAt(d, at + 46, at + 28)} = {method}");
                }

            case 5 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    ushort flags = (ushort)(rng.Next(2) == 0 ? 0x0001 : rng.Next(2) == 0 ? 0x0008 : 0x0041);
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at + 8), flags);
                    return new Mutant(d, $"flags of {NameAt(d, at + 46, at + 28)} = {flags:x4}");
                }

            case 6 when central.Count > 0:
                {
                    int at = central[rng.Next(central.Count)];
                    int field = Pick([28, 30, 32], rng);
                    ushort v = Pick<ushort>([0, 1, 0x7FFF, 0xFFFF], rng);
                    BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at + field), v);
                    return new Mutant(d, $"central {(field == 28 ? "name" : field == 30 ? "extra" : "comment")} length = {v}");
                }

            case 7 when end.Count > 0:
                {
                    int at = end[^1];
                    int field = Pick([8, 10, 12, 16, 20], rng);
                    if (field is 8 or 10 or 20)
                    {
                        ushort v = Pick<ushort>([0, 1, 2, 4, 0xFFFF], rng);
                        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at + field), v);
                        return new Mutant(d, $"end record field {field} = {v}");
                    }

                    uint u = Pick([0u, 1u, (uint)d.Length, 0xFFFF_FFFFu, (uint)rng.Next(d.Length)], rng);
                    BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at + field), u);
                    return new Mutant(d, $"end record {(field == 12 ? "directory size" : "directory offset")} = {u}");
                }

            case 8:
                {
                    var members = ReadMembers(source);
                    var copy = members[rng.Next(members.Count)];
                    members.Insert(rng.Next(members.Count + 1), (copy.Name, rng.Next(2) == 0 ? copy.Data : [1, 2, 3]));
                    return new Mutant(WriteMembers(members, CompressionLevel.NoCompression), $"duplicate member {copy.Name}");
                }

            default:
                {
                    var members = ReadMembers(source);
                    int which = rng.Next(members.Count);
                    string name = rng.Next(2) == 0 ? Pick(s_names, rng) : members[which].Name;
                    string before = members[which].Name;
                    members[which] = (name, members[which].Data);
                    var level = rng.Next(2) == 0 ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
                    return new Mutant(WriteMembers(members, level), $"rebuild ({level}), {before} named '{name}'");
                }
        }
    }

    /// <summary>The members of an archive, in order.</summary>
    public static List<(string Name, byte[] Data)> ReadMembers(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        }).ToList();
    }

    /// <summary>An archive of <paramref name="members"/> (duplicates allowed).</summary>
    public static byte[] WriteMembers(IEnumerable<(string Name, byte[] Data)> members, CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in members)
            {
                using var s = zip.CreateEntry(name.Length == 0 ? "_" : name, level).Open();
                s.Write(data);
            }
        }

        return output.ToArray();
    }

    private static T Pick<T>(T[] list, System.Random rng) => list[rng.Next(list.Length)];

    private static uint Size(byte[] d, int at, System.Random rng)
    {
        uint current = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at));
        return rng.Next(3) switch
        {
            0 => current + 1,
            1 => current == 0 ? 0 : current - 1,
            _ => s_sizes[rng.Next(s_sizes.Length)],
        };
    }

    private static List<int> Offsets(byte[] d, ReadOnlySpan<byte> signature, int headerLength)
    {
        var result = new List<int>();
        for (int i = 0; i + headerLength <= d.Length; i++)
        {
            if (d.AsSpan(i).StartsWith(signature))
            {
                result.Add(i);
            }
        }

        return result;
    }

    private static string NameAt(byte[] d, int at, int lengthField)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(lengthField));
        return at + length <= d.Length ? System.Text.Encoding.UTF8.GetString(d, at, length) : "?";
    }
}
