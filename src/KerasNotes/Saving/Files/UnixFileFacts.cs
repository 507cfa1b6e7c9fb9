using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KerasNotes.Saving.Files;

/// <summary>
/// The few libc calls that .NET does not offer and that untrusted paths need on Linux: the file type (regular file,
/// FIFO, device, socket, directory — <see cref="File.GetUnixFileMode(string)"/> gives permissions only), the real
/// path with every symbolic link of every component resolved, and an open that cannot block on a FIFO.
/// </summary>
/// <remarks>
/// <c>statx</c> is used rather than <c>stat</c> because its structure has the same layout on every architecture.
/// When libc or one of these calls is missing (not Linux, an old or non-glibc libc), <see cref="IsAvailable"/> is
/// false and callers fall back to managed checks.
/// </remarks>
internal static partial class UnixFileFacts
{
    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int StatxModeOffset = 28;
    private const int StatxSizeOffset = 40;
    private const int StatxBytes = 256;
    private const int ORdOnly = 0;

    // O_NONBLOCK and O_CLOEXEC have these values on every Linux architecture .NET runs on (x64, arm64, arm, x86).
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    // O_NOFOLLOW is one of the few flags whose value differs: arm, arm64 and powerpc use 0x8000, the rest 0x20000.
    private static readonly int s_oNoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le
        ? 0x8000
        : 0x20000;

    private static readonly Lazy<bool> s_available = new(Probe);

    /// <summary>What a path (or an open file) is.</summary>
    public enum Kind
    {
        /// <summary>A regular file: the only kind a model or shard may be.</summary>
        Regular,

        /// <summary>A directory.</summary>
        Directory,

        /// <summary>A symbolic link (seen only when links are not followed).</summary>
        Link,

        /// <summary>A FIFO, a device, a socket: opening or reading one can block forever or never end.</summary>
        Special,
    }

    /// <summary>True on Linux with a libc that has <c>statx</c>, <c>open</c> and <c>realpath</c>.</summary>
    public static bool IsAvailable => s_available.Value;

    /// <summary>The kind and size of <paramref name="path"/>, following links unless <paramref name="followLinks"/> is false; null if it cannot be examined.</summary>
    public static (Kind Kind, long Length)? Describe(string path, bool followLinks)
    {
        Span<byte> buffer = stackalloc byte[StatxBytes];
        int rc = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxSize, ref MemoryMarshal.GetReference(buffer));
        return rc == 0 ? Decode(buffer) : null;
    }

    /// <summary>The kind and size of an open file.</summary>
    public static (Kind Kind, long Length)? Describe(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[StatxBytes];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int rc = Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxType | StatxSize, ref MemoryMarshal.GetReference(buffer));
            return rc == 0 ? Decode(buffer) : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The canonical path with every link resolved (libc <c>realpath</c>); null if it does not resolve (missing, a loop, too long).</summary>
    public static string? RealPath(string path)
    {
        nint resolved = RealPathNative(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>
    /// Opens a file for reading with <c>O_NONBLOCK</c>, so that a FIFO swapped in after the type check cannot
    /// block the open; null when it cannot be opened. Regular files ignore the flag.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="followLinks">False to refuse a path whose last component is a link (it was resolved already, and must not have been swapped for one since).</param>
    public static SafeFileHandle? OpenForReading(string path, bool followLinks)
    {
        int fd = Open(path, ORdOnly | ONonBlock | OCloExec | (followLinks ? 0 : s_oNoFollow));
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Where the file behind an open handle really lies, as the kernel names it (the target of
    /// <c>/proc/self/fd/N</c>); null when that cannot be read or the file was deleted since it was opened.
    /// </summary>
    public static string? OpenedPath(SafeFileHandle handle)
    {
        try
        {
            string? target = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
            return target is null || target.EndsWith(" (deleted)", StringComparison.Ordinal) ? null : target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (Kind, long) Decode(ReadOnlySpan<byte> statx)
    {
        int mode = BitConverter.ToUInt16(statx[StatxModeOffset..]) & 0xF000;
        long length = BitConverter.ToInt64(statx[StatxSizeOffset..]);
        var kind = mode switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0xA000 => Kind.Link,
            _ => Kind.Special,
        };
        return (kind, length);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Describe("/", followLinks: true) is { Kind: Kind.Directory } && RealPath("/") == "/";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statxBuffer);

    [LibraryImport(Libc, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport(Libc, EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
