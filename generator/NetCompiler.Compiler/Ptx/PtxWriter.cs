using System;
using System.Globalization;
using System.Text;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// An indented text writer for PTX: '\n' line endings, four spaces per level, and every
/// interpolated value formatted with the invariant culture so output is byte-identical across machines.
/// </summary>
public sealed class PtxWriter
{
    private const string IndentUnit = "    ";

    private readonly StringBuilder _builder = new StringBuilder();
    private int _indent;

    /// <summary>Creates a writer that starts at <paramref name="indent"/> levels.</summary>
    public PtxWriter(int indent = 0)
    {
        if (indent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(indent), indent, "Indent must be non-negative.");
        }

        _indent = indent;
    }

    /// <summary>Writes one line at the current indent.</summary>
    public void Line(FormattableString text)
    {
        for (int i = 0; i < _indent; i++)
        {
            _builder.Append(IndentUnit);
        }

        _builder.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Writes an empty line.</summary>
    public void Line() => _builder.Append('\n');

    /// <summary>Writes a <c>//</c> comment line at the current indent.</summary>
    public void Comment(FormattableString text) => Line($"// {text.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Writes a label one level left of the current indent, so branch targets stand out.</summary>
    public void Label(string name)
    {
        for (int i = 0; i < _indent - 1; i++)
        {
            _builder.Append(IndentUnit);
        }

        _builder.Append(name).Append(":\n");
    }

    /// <summary>Increases the indent by one level.</summary>
    public void Indent() => _indent++;

    /// <summary>Decreases the indent by one level.</summary>
    public void Unindent()
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("Unindent called at indent level 0.");
        }

        _indent--;
    }

    /// <summary>Appends already formatted text verbatim.</summary>
    public void Raw(string text) => _builder.Append(text);

    /// <inheritdoc/>
    public override string ToString() => _builder.ToString();
}
