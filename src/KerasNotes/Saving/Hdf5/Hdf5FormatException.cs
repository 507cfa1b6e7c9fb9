namespace KerasNotes.Saving.Hdf5;

/// <summary>
/// Why the bytes are not an HDF5 file of the subset we read. Raised only inside this folder; <see cref="H5Reader"/>
/// turns it into a <see cref="ModelFormatException"/> naming the file, the entry and the HDF5 path, so the
/// low-level classes need not know which file or archive member they are reading.
/// </summary>
internal sealed class Hdf5FormatException : Exception
{
    public Hdf5FormatException()
    {
    }

    public Hdf5FormatException(string message)
        : base(message)
    {
    }

    public Hdf5FormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
