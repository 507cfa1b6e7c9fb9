using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KerasNotes.Callbacks;

/// <summary>
/// Keras's progress bar (<c>keras.callbacks.ProgbarLogger</c>), added by <c>Fit</c> when <c>verbose</c> is not 0.
/// </summary>
/// <remarks>
/// <para>verbose 1: <c>Epoch 3/20</c>, then <c>469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 6ms/step - accuracy: 0.8512 - loss: 0.4123</c>.
/// On a terminal the line is redrawn in place (at most every 50 ms) with an ETA while the epoch runs;
/// when the output is redirected (CI, log files) only the finished line of each epoch is written,
/// never a wall of carriage returns. verbose 2: the finished line only, in Keras's verbose-2 form.</para>
/// <para>Values are shown as given (they are already running averages): <c>.4f</c> when
/// <c>|v| &gt; 1e-3</c>, else <c>.4e</c>.</para>
/// </remarks>
public sealed class ProgbarLogger : Callback
{
    private const int Width = 20;
    private readonly TextWriter _output;
    private readonly bool _dynamic;
    private readonly List<string> _order = [];
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = new();
    private double _timeAfterFirstStep;
    private double _lastUpdate;
    private int _target;
    private int _epochs;
    private int _verbose = 1;
    private int _previousWidth;
    private bool _inTraining;

    /// <summary>Creates the logger.</summary>
    /// <param name="output">Where to write; the console by default.</param>
    /// <param name="dynamic">Redraw one line with <c>\r</c>; by default only when writing to a console that is not redirected.</param>
    public ProgbarLogger(TextWriter? output = null, bool? dynamic = null)
    {
        _output = output ?? Console.Out;
        _dynamic = dynamic ?? (output is null && !Console.IsOutputRedirected);
    }

    /// <inheritdoc />
    public override void SetParams(IReadOnlyDictionary<string, object?> parameters)
    {
        base.SetParams(parameters);
        _verbose = parameters.TryGetValue("verbose", out var v) && v is int vi ? vi : 1;
        _epochs = parameters.TryGetValue("epochs", out var e) && e is int ei ? ei : 1;
        _target = parameters.TryGetValue("steps", out var s) && s is int si ? si : 0;
    }

    // Redirected output shows only the finished line of each epoch, so batch logs are not needed then.
    internal override bool WantsTrainBatchHooks => _dynamic && _verbose == 1;

    internal override bool WantsTestBatchHooks => _dynamic && _verbose == 1;

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double>? logs = null) => _inTraining = true;

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double>? logs = null) => _inTraining = false;

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double>? logs = null)
    {
        Reset();
        if (_epochs > 1 && _verbose != 0)
        {
            _output.WriteLine($"Epoch {epoch + 1}/{_epochs}");
        }
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double>? logs = null) => Update(batch + 1, logs, finalize: false);

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double>? logs = null) => Update(Math.Max(_target, _seen), logs, finalize: true);

    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double>? logs = null)
    {
        if (!_inTraining)
        {
            Reset();
        }
    }

    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double>? logs = null)
    {
        // Validation inside Fit stays silent (as Keras); a standalone Evaluate shows its own bar.
        if (!_inTraining)
        {
            Update(batch + 1, logs, finalize: false);
        }
    }

    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double>? logs = null)
    {
        if (!_inTraining)
        {
            Update(Math.Max(_target, _seen), logs, finalize: true);
        }
    }

    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double>? logs = null) => Reset();

    /// <inheritdoc />
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double>? logs = null) => Update(batch + 1, null, finalize: false);

    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double>? logs = null) => Update(Math.Max(_target, _seen), null, finalize: true);

    private int _seen;

    private void Reset()
    {
        _order.Clear();
        _values.Clear();
        _clock.Restart();
        _timeAfterFirstStep = 0;
        _lastUpdate = 0;
        _previousWidth = 0;
        _seen = 0;
    }

    private void Update(int current, IDictionary<string, double>? logs, bool finalize)
    {
        if (_verbose == 0)
        {
            return;
        }

        _seen = Math.Max(_seen, current);
        foreach (var (k, v) in logs ?? new Dictionary<string, double>())
        {
            if (!_values.ContainsKey(k))
            {
                _order.Add(k);
            }

            _values[k] = v;
        }

        double now = _clock.Elapsed.TotalSeconds;
        if (current == 1 && _timeAfterFirstStep == 0)
        {
            _timeAfterFirstStep = now;
        }

        double timePerStep = current > 1 && _timeAfterFirstStep > 0
            ? (now - _timeAfterFirstStep) / (current - 1)
            : current > 0 ? now / current : 0;
        int target = _target > 0 ? _target : current;

        if (_verbose == 2)
        {
            if (finalize)
            {
                var line = new StringBuilder();
                line.Append(Counter(current, target)).Append(" - ")
                    .Append(now.ToString("F0", CultureInfo.InvariantCulture)).Append("s -")
                    .Append(FormatTime(timePerStep));
                AppendValues(line, absolute: false);
                _output.WriteLine(line.ToString());
            }

            return;
        }

        if (!finalize && (!_dynamic || now - _lastUpdate < 0.05))
        {
            return;
        }

        _lastUpdate = now;
        var sb = new StringBuilder();
        sb.Append(Counter(current, target)).Append(' ');
        int done = target > 0 ? (int)(Width * (double)Math.Min(current, target) / target) : Width;
        sb.Append('━', done).Append(_dynamic && !finalize ? '─' : '━', Width - done);
        if (!finalize && target > current)
        {
            double eta = timePerStep * (target - current);
            sb.Append(' ').Append(FormatEta(eta));
        }
        else
        {
            sb.Append(' ').Append(now.ToString("F0", CultureInfo.InvariantCulture)).Append('s');
        }

        sb.Append(FormatTime(timePerStep));
        AppendValues(sb, absolute: true);
        string text = sb.ToString();
        if (_dynamic)
        {
            int pad = Math.Max(0, _previousWidth - text.Length);
            _output.Write('\r' + text + new string(' ', pad));
            _previousWidth = text.Length;
            if (finalize)
            {
                _output.WriteLine();
            }
        }
        else
        {
            _output.WriteLine(text);
        }

        _output.Flush();
    }

    private void AppendValues(StringBuilder sb, bool absolute)
    {
        foreach (var k in _order)
        {
            double v = _values[k];
            bool fixedPoint = absolute ? Math.Abs(v) > 1e-3 : v > 1e-3;
            sb.Append(" - ").Append(k).Append(": ").Append(FormatValue(v, fixedPoint));
        }
    }

    /// <summary>Python's <c>.4f</c> or <c>.4e</c> (exponent with sign and at least two digits).</summary>
    internal static string FormatValue(double v, bool fixedPoint)
    {
        if (double.IsNaN(v))
        {
            return "nan";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "inf" : "-inf";
        }

        if (fixedPoint)
        {
            return v.ToString("F4", CultureInfo.InvariantCulture);
        }

        string s = v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
        return s;
    }

    private static string Counter(int current, int target)
    {
        int digits = target > 0 ? (int)Math.Floor(Math.Log10(target)) + 1 : 1;
        return current.ToString(CultureInfo.InvariantCulture).PadLeft(digits) + "/" + target.ToString(CultureInfo.InvariantCulture);
    }

    private static string FormatEta(double eta)
    {
        var ci = CultureInfo.InvariantCulture;
        int e = (int)eta;
        if (eta > 3600)
        {
            return string.Format(ci, "{0}:{1:00}:{2:00}", e / 3600, (e % 3600) / 60, e % 60);
        }

        if (eta > 60)
        {
            return string.Format(ci, "{0}:{1:00}", e / 60, e % 60);
        }

        return string.Format(ci, "{0}s", e);
    }

    private static string FormatTime(double timePerStep)
    {
        var ci = CultureInfo.InvariantCulture;
        if (timePerStep >= 1 || timePerStep == 0)
        {
            return " " + timePerStep.ToString("F0", ci) + "s/step";
        }

        if (timePerStep >= 1e-3)
        {
            return " " + (timePerStep * 1e3).ToString("F0", ci) + "ms/step";
        }

        return " " + (timePerStep * 1e6).ToString("F0", ci) + "us/step";
    }
}
