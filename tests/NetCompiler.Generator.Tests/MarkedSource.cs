using Microsoft.CodeAnalysis.Text;

namespace NetCompiler.Generator.Tests;

/// <summary>A source with one span marked as <c>[|...|]</c>: the text without the markers, and where the span is.</summary>
internal sealed record MarkedSource(string Text, TextSpan Span, LinePositionSpan LineSpan)
{
    public static MarkedSource Parse(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start || marked.IndexOf("[|", start + 2, StringComparison.Ordinal) >= 0)
            throw new ArgumentException("Expected exactly one [|...|] span in the source.", nameof(marked));
        string text = marked.Remove(end, 2).Remove(start, 2);
        var span = TextSpan.FromBounds(start, end - 2);
        return new MarkedSource(text, span, SourceText.From(text).Lines.GetLinePositionSpan(span));
    }
}
