using System.IO.Compression;

namespace KerasNotes.Tests.Saving.Fuzzing;

/// <summary>Applies another mutator to one member of a zip archive and zips it again, so the damage gets past the zip layer.</summary>
internal sealed class MemberMutator(string member, IMutator inner) : IMutator
{
    public string Name => $"{member}/{inner.Name}";

    public Mutant Mutate(byte[] source, System.Random rng)
    {
        var members = ZipMutator.ReadMembers(source);
        int which = members.FindIndex(m => m.Name == member);
        if (which < 0)
        {
            return new Mutant(source, $"no member {member}");
        }

        var mutant = inner.Mutate(members[which].Data, rng);
        members[which] = (member, mutant.Bytes);
        return new Mutant(ZipMutator.WriteMembers(members, CompressionLevel.NoCompression), mutant.Description);
    }
}
