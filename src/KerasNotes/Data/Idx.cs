using System.Buffers.Binary;
using System.IO.Compression;

namespace KerasNotes.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (raw or gzip-compressed, detected from the content).
/// </summary>
/// <remarks>
/// Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then each
/// dimension as a big-endian 32-bit integer, then the data in row-major order. Sizes are checked
/// against the data actually present before anything is allocated.
/// </remarks>
public static class Idx
{
    /// <summary>Reads an IDX file of unsigned bytes; returns its dimensions and values.</summary>
    /// <exception cref="InvalidDataException">The file is not an unsigned-byte IDX file or is truncated.</exception>
    public static (int[] Dimensions, byte[] Data) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX stream (raw or gzip) of unsigned bytes.</summary>
    public static (int[] Dimensions, byte[] Data) Read(Stream stream, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        source ??= "stream";
        using var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        int got = buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        if (got < 2)
        {
            throw new InvalidDataException($"IDX '{source}' is empty.");
        }

        // Gzip starts with 1F 8B; IDX with 00 00. Re-read from a fresh reader over the right stream.
        bool gzip = magic[0] == 0x1F && magic[1] == 0x8B;
        var prefix = magic[..got].ToArray();
        Stream body = new ConcatStream(prefix, buffered);
        if (gzip)
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using (body)
        {
            return ReadRaw(body, source);
        }
    }

    private static (int[] Dimensions, byte[] Data) ReadRaw(Stream s, string source)
    {
        Span<byte> header = stackalloc byte[4];
        s.ReadExactly(header);
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException($"IDX '{source}' does not start with the IDX magic (00 00).");
        }

        if (header[2] != 0x08)
        {
            throw new InvalidDataException($"IDX '{source}' has element type 0x{header[2]:X2}; only unsigned bytes (0x08) are supported.");
        }

        int rank = header[3];
        if (rank is < 1 or > 4)
        {
            throw new InvalidDataException($"IDX '{source}' declares {rank} dimensions; expected 1 to 4.");
        }

        var dims = new int[rank];
        long total = 1;
        Span<byte> four = stackalloc byte[4];
        for (int i = 0; i < rank; i++)
        {
            s.ReadExactly(four);
            int d = BinaryPrimitives.ReadInt32BigEndian(four);
            if (d < 0)
            {
                throw new InvalidDataException($"IDX '{source}' declares dimension {i} as {d}.");
            }

            dims[i] = d;
            total *= d;
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidDataException($"IDX '{source}' declares {total} elements, more than an array can hold.");
        }

        // Read in chunks so a lying header cannot make us allocate far beyond what the stream holds.
        using var collected = new MemoryStream();
        var chunk = new byte[1 << 16];
        long remaining = total;
        while (remaining > 0)
        {
            int n = s.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
            if (n == 0)
            {
                throw new InvalidDataException($"IDX '{source}' is truncated: {total - remaining} of {total} elements present.");
            }

            collected.Write(chunk, 0, n);
            remaining -= n;
        }

        return (dims, collected.ToArray());
    }

    /// <summary>A read-only stream of some bytes already read, followed by the rest of another stream.</summary>
    private sealed class ConcatStream(byte[] prefix, Stream rest) : Stream
    {
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
