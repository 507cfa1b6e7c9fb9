using System.Text;

namespace KerasNotes.Callbacks;

/// <summary>
/// Streams epoch results to a CSV file (Keras <c>CSVLogger</c>).
/// </summary>
/// <remarks>
/// Columns are fixed at the first epoch: <c>epoch</c> (0-based), then the logs keys in alphabetical order; when
/// no key starts with <c>val_</c>, a <c>val_</c> column is reserved for each key (filled with <c>NA</c>), as
/// Keras does. Numbers are written as Python writes a double (<c>0.6931471824645996</c>), rows end with
/// <c>\r\n</c>, fields are quoted only when needed, and the file is flushed after every row. With
/// <c>append: true</c> an existing file keeps its rows and gets no second header.
/// </remarks>
public sealed class CSVLogger : Callback, IDisposable
{
    private StreamWriter? _writer;
    private List<string>? _keys;
    private bool _appendHeader = true;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">The CSV file.</param>
    /// <param name="separator">The field separator (default comma).</param>
    /// <param name="append">Append to an existing file instead of overwriting it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filename);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The file.</summary>
    public string Filename { get; }

    /// <summary>The separator.</summary>
    public string Separator { get; }

    /// <summary>Whether rows are appended.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null)
    {
        _writer?.Dispose();
        _keys = null;
        bool appending = Append && File.Exists(Filename);
        _appendHeader = true;
        if (appending)
        {
            using var reader = new StreamReader(Filename);
            _appendHeader = string.IsNullOrEmpty(reader.ReadLine());
        }

        string? dir = Path.GetDirectoryName(Path.GetFullPath(Filename));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        _writer = new StreamWriter(Filename, appending, new UTF8Encoding(false)) { NewLine = "\r\n" };
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null)
    {
        if (_writer is null)
        {
            OnTrainBegin();
        }

        logs ??= new Dictionary<string, double>();
        if (_keys is null)
        {
            _keys = [.. logs.Keys.Order(StringComparer.Ordinal)];
            if (!_keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal)))
            {
                _keys.AddRange(_keys.Select(k => "val_" + k).ToList());
            }

            if (_appendHeader)
            {
                _writer!.WriteLine(string.Join(Separator, _keys.Prepend("epoch").Select(Quote)));
            }
        }

        var fields = new List<string> { epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var key in _keys)
        {
            fields.Add(logs.TryGetValue(key, out double v) ? PythonFloat.Repr(v) : "NA");
        }

        _writer!.WriteLine(string.Join(Separator, fields.Select(Quote)));
        _writer.Flush();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double>? logs = null)
    {
        _writer?.Dispose();
        _writer = null;
    }

    /// <summary>Closes the file if training ended abnormally.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }

    // Python's csv "excel" dialect: quote when the field holds the separator, a quote or a line break.
    private string Quote(string field) =>
        field.Contains(Separator, StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal) || field.Contains('\n', StringComparison.Ordinal) || field.Contains('\r', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
}
