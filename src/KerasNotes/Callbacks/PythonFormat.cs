using System.Globalization;
using System.Text;

namespace KerasNotes.Callbacks;

/// <summary>
/// Python's <c>str.format</c> for the file-path templates Keras callbacks take, such as
/// <c>ckpt-{epoch:02d}-{val_loss:.2f}.keras</c>: named fields with the format-spec mini-language
/// (fill, align, sign, zero padding, width, thousands separator, precision, and the types
/// <c>d</c>, <c>f</c>, <c>e</c>, <c>g</c>, <c>%</c>, <c>s</c>).
/// </summary>
internal static class PythonFormat
{
    /// <summary>Formats <paramref name="template"/> with named integer and floating-point values.</summary>
    /// <exception cref="KeyNotFoundException">A field names a value that is not given (Keras raises KeyError).</exception>
    /// <exception cref="FormatException">The template or a format spec is malformed, or the spec does not fit the value.</exception>
    public static string Format(string template, IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char ch = template[i];
            if (ch == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    sb.Append('{');
                    i++;
                    continue;
                }

                int close = template.IndexOf('}', i);
                if (close < 0)
                {
                    throw new FormatException($"Unclosed '{{' at position {i} in \"{template}\".");
                }

                string field = template[(i + 1)..close];
                int colon = field.IndexOf(':', StringComparison.Ordinal);
                string name = colon >= 0 ? field[..colon] : field;
                string spec = colon >= 0 ? field[(colon + 1)..] : string.Empty;
                if (!values.TryGetValue(name, out var value))
                {
                    throw new KeyNotFoundException(
                        $"Failed to format the callback filepath \"{template}\": no value named '{name}'. Available: {string.Join(", ", values.Keys)}.");
                }

                sb.Append(FormatValue(value, spec, template));
                i = close;
            }
            else if (ch == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    sb.Append('}');
                    i++;
                    continue;
                }

                throw new FormatException($"Single '}}' at position {i} in \"{template}\".");
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }

    private static string FormatValue(object value, string spec, string template)
    {
        var ci = CultureInfo.InvariantCulture;
        int p = 0;
        char fill = ' ';
        char align = '\0';
        if (spec.Length >= 2 && "<>^=".Contains(spec[1], StringComparison.Ordinal))
        {
            fill = spec[0];
            align = spec[1];
            p = 2;
        }
        else if (spec.Length >= 1 && "<>^=".Contains(spec[0], StringComparison.Ordinal))
        {
            align = spec[0];
            p = 1;
        }

        char sign = '-';
        if (p < spec.Length && spec[p] is '+' or '-' or ' ')
        {
            sign = spec[p++];
        }

        if (p < spec.Length && spec[p] == '0')
        {
            if (align == '\0')
            {
                fill = '0';
                align = '=';
            }

            p++;
        }

        int width = 0;
        while (p < spec.Length && char.IsDigit(spec[p]))
        {
            width = (width * 10) + (spec[p++] - '0');
        }

        bool thousands = false;
        if (p < spec.Length && spec[p] == ',')
        {
            thousands = true;
            p++;
        }

        int? precision = null;
        if (p < spec.Length && spec[p] == '.')
        {
            p++;
            int pr = 0;
            int digits = 0;
            while (p < spec.Length && char.IsDigit(spec[p]))
            {
                pr = (pr * 10) + (spec[p++] - '0');
                digits++;
            }

            if (digits == 0)
            {
                throw new FormatException($"Format spec '{spec}' in \"{template}\" has a '.' without a precision.");
            }

            precision = pr;
        }

        char type = p < spec.Length ? spec[p++] : '\0';
        if (p != spec.Length)
        {
            throw new FormatException($"Invalid format spec '{spec}' in \"{template}\".");
        }

        bool isInt = value is int or long;
        double number = Convert.ToDouble(value, ci);
        string body;
        switch (type)
        {
            case 'd':
                if (!isInt)
                {
                    throw new FormatException($"Format code 'd' in \"{template}\" needs an integer; got {PythonFloat.Repr(number)}.");
                }

                body = Math.Abs((long)number).ToString(thousands ? "N0" : "D", ci);
                break;
            case 'f' or 'F':
                body = Math.Abs(number).ToString((thousands ? "N" : "F") + (precision ?? 6).ToString(ci), ci);
                break;
            case 'e' or 'E':
                body = PythonExponent(Math.Abs(number), precision ?? 6, type);
                break;
            case '%':
                body = (Math.Abs(number) * 100).ToString("F" + (precision ?? 6).ToString(ci), ci) + "%";
                break;
            case 'g' or 'G':
                body = Math.Abs(number).ToString("G" + Math.Max(1, precision ?? 6).ToString(ci), ci).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
                break;
            case 's' or '\0':
                body = isInt ? Math.Abs((long)number).ToString(ci) : PythonFloat.Repr(Math.Abs(number));
                if (precision is int sp && type == 's')
                {
                    body = body[..Math.Min(body.Length, sp)];
                }

                break;
            default:
                throw new FormatException($"Unknown format code '{type}' in \"{template}\".");
        }

        if (double.IsNaN(number))
        {
            body = "nan";
        }

        string signText = number < 0 ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : string.Empty;
        int pad = Math.Max(0, width - signText.Length - body.Length);
        if (pad == 0)
        {
            return signText + body;
        }

        string padding = new(fill, pad);
        return (align == '\0' ? (isInt || type != 's' ? '>' : '<') : align) switch
        {
            '<' => signText + body + padding,
            '^' => new string(fill, pad / 2) + signText + body + new string(fill, pad - (pad / 2)),
            '=' => signText + padding + body,
            _ => padding + signText + body,
        };
    }

    private static string PythonExponent(double v, int precision, char type)
    {
        string s = v.ToString((type == 'E' ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        // .NET writes e+005; Python writes e+05.
        int e = s.IndexOfAny(['e', 'E']);
        string mantissa = s[..(e + 2)];
        string exponent = s[(e + 2)..].TrimStart('0');
        return mantissa + exponent.PadLeft(2, '0');
    }
}
