using System.Text.RegularExpressions;
using NetCompiler.Compiler;

namespace NetCompiler.CodeFixes.Tests;

/// <summary>Keeps docs/diagnostics.md true: every id has a section, and its one-line examples report what they claim.</summary>
public partial class DiagnosticsDocTests
{
    private static readonly string s_doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));

    public static TheoryData<string> Ids() => new(AllIds());

    private static List<string> AllIds() => typeof(DiagnosticIds).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();

    private static List<(string Code, string Expected)> AllExamples() =>
        ExampleLine().Matches(s_doc).Select(m => (m.Groups["code"].Value.Trim(), m.Groups["expect"].Value)).ToList();

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdHasASectionWithMessageCauseAndFix(string id)
    {
        int start = s_doc.IndexOf($"\n## {id}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/diagnostics.md has no '## {id}' section.");
        int end = s_doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? s_doc[start..] : s_doc[start..end];
        Assert.Contains("**Message:**", section);
        Assert.Contains("**Cause:**", section);
        Assert.Contains("**Fix:**", section);
    }

    public static TheoryData<string, string> Examples()
    {
        var examples = new TheoryData<string, string>();
        foreach (var (code, expected) in AllExamples())
            examples.Add(code, expected);
        return examples;
    }

    [Fact]
    public void EveryNonInternalIdHasAnExample()
    {
        var covered = AllExamples().Select(e => e.Expected).ToHashSet();
        // NC9001 has no source that triggers it, NC0005 needs two declarations (not one line), and NC2001 appears only
        // for an op without a PTX kernel, which no op of this release is.
        var missing = AllIds().Where(id => id is not (DiagnosticIds.InternalError or DiagnosticIds.LayersInSeveralParts or DiagnosticIds.GpuCodeNotGenerated) && !covered.Contains(id));
        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task ExampleReportsWhatItClaims(string code, string expected)
    {
        var diagnostics = await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument("using NetCompiler;\n" + code + "\n"));
        if (expected == "fixed")
            Assert.Empty(diagnostics);
        else
            Assert.Contains(diagnostics, d => d.Id == expected);
    }

    // A line of a code block holding a class declaration and ending in "// NCxxxx[: ...]" or "// fixed".
    [GeneratedRegex(@"^(?<code>[^\n]*\bclass Net;)\s*// (?<expect>NC\d{4}|fixed)\b[^\n]*$", RegexOptions.Multiline)]
    private static partial Regex ExampleLine();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetCompiler.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No NetCompiler.sln above {AppContext.BaseDirectory}.");
    }
}
