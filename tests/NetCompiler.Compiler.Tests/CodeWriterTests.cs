using System.Globalization;
using System.Text.RegularExpressions;
using NetCompiler.Compiler.Emit;

namespace NetCompiler.Compiler.Tests;

/// <summary>Literals written into generated code: exact round trip, C# syntax, the same text in every culture.</summary>
public sealed partial class CodeWriterTests
{
    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?(E[+-][0-9]+)?f$")]
    private static partial Regex FloatLiteral();

    private static readonly float[] Interesting =
    [
        0f, -0f, 1f, -1f, 0.1f, 0.9f, 0.999f, 1e-8f, 1e-10f, 1.5e-7f, 1f / 3f, 2f / 3f, 16777216f, 16777217f, 123456.79f,
        float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1.17549435e-38f, 3e38f, 0.0025f, 100f, 1e10f,
    ];

    [Fact]
    public void Float_RoundTripsExactly()
    {
        var random = new Random(7);
        var values = new List<float>(Interesting);
        while (values.Count < 20000)
        {
            float v = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            if (float.IsFinite(v)) values.Add(v);
        }

        foreach (float value in values)
        {
            string literal = CodeWriter.Float(value);
            Assert.Matches(FloatLiteral(), literal);
            float parsed = float.Parse(literal.AsSpan(0, literal.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.SingleToInt32Bits(parsed) == BitConverter.SingleToInt32Bits(value),
                $"{value:R} ({BitConverter.SingleToInt32Bits(value):X8}) was written as {literal}, which reads back as {parsed:R}.");
        }
    }

    [Theory]
    [InlineData(1f, "1.0f")]
    [InlineData(-2f, "-2.0f")]
    [InlineData(0.5f, "0.5f")]
    [InlineData(1e-8f, "1E-08f")]
    [InlineData(float.PositiveInfinity, "float.PositiveInfinity")]
    [InlineData(float.NegativeInfinity, "float.NegativeInfinity")]
    [InlineData(float.NaN, "float.NaN")]
    public void Float_WritesExpectedLiteral(float value, string expected) => Assert.Equal(expected, CodeWriter.Float(value));

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fr-FR")]
    [InlineData("fa-IR")]
    public void Literals_AreCultureInvariant(string cultureName)
    {
        float[] values = [.. Interesting, 1234567.5f, -0.75f];
        int[] ints = [0, -5, 1234567, int.MinValue];
        string[] expectedFloats = values.Select(CodeWriter.Float).ToArray();
        string[] expectedInts = ints.Select(CodeWriter.Int).ToArray();

        var culture = CultureInfo.GetCultureInfo(cultureName);
        Assert.NotEqual("-0.75", (-0.75f).ToString(culture)); // the culture really formats differently
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal(expectedFloats, values.Select(CodeWriter.Float));
            Assert.Equal(expectedInts, ints.Select(CodeWriter.Int));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        Assert.Equal("-0.75f", CodeWriter.Float(-0.75f));
        Assert.Equal("-2147483648", CodeWriter.Int(int.MinValue));
    }

    [Fact]
    public void Lines_UseLineFeedsAndFourSpaceIndents()
    {
        var w = new CodeWriter();
        w.Open("class C");
        using (w.Block("void M()")) w.Lines("int a = 1;\r\nint b = 2;");
        w.Close();

        Assert.Equal("class C\n{\n    void M()\n    {\n        int a = 1;\n        int b = 2;\n    }\n}\n", w.ToString());
    }
}
