using Xunit.Sdk;

namespace NetCompiler.Oracle.Tests;

/// <summary>Element-wise comparisons that name the first element out of tolerance.</summary>
internal static class Tolerance
{
    /// <summary>Asserts <c>|actual - expected| &lt;= absolute + relative * |expected|</c> for every element.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], relative, absolute, $"{what}[{i}]");
        }
    }

    /// <summary>As the span overload, for float expectations (e.g. another float32 implementation).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        double[] widened = new double[expected.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            widened[i] = expected[i];
        }

        AssertClose(widened, actual, relative, absolute, what);
    }

    /// <summary>Asserts one value within <c>absolute + relative * |expected|</c>.</summary>
    public static void AssertClose(double expected, double actual, double relative, double absolute, string what)
    {
        double limit = absolute + relative * Math.Abs(expected);
        double error = Math.Abs(actual - expected);
        if (!(error <= limit))
        {
            throw new XunitException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what}: expected {expected:R}, got {actual:R} (error {error:E3} > limit {limit:E3} = {absolute:E1} + {relative:E1} * |expected|)."));
        }
    }
}
