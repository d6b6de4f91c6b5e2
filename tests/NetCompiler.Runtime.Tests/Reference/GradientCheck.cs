using Xunit.Sdk;

namespace NetCompiler.Runtime.Tests.Reference;

/// <summary>Float64 central finite differences and the comparisons the reference-op gradient tests share.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// Central-difference step: the truncation error is O(h²) ≈ 1e-12 and the rounding error about ε·|f|/h ≈ 1e-10·|f|,
    /// both well under the 1e-6 tolerance for objectives of order 1 to 100.
    /// </summary>
    public const double Step = 1e-6;

    /// <summary>Tolerance on <c>|actual - expected| / max(1, |expected|)</c>.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Uniform values in <c>[min, max)</c>.</summary>
    public static double[] RandomArray(Random random, int length, double min = -1, double max = 1)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
            values[i] = min + (max - min) * random.NextDouble();
        return values;
    }

    /// <summary>Uniform values whose magnitude lies in <c>[minMagnitude, maxMagnitude)</c>, either sign: keeps FD steps away from a kink at 0.</summary>
    public static double[] AwayFromZero(Random random, int length, double minMagnitude, double maxMagnitude = 1)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            double magnitude = minMagnitude + (maxMagnitude - minMagnitude) * random.NextDouble();
            values[i] = random.Next(2) == 0 ? -magnitude : magnitude;
        }
        return values;
    }

    /// <summary>An array filled with a value that no correct gradient equals, to show that a backward pass overwrites rather than accumulates.</summary>
    public static double[] Garbage(int length)
    {
        var values = new double[length];
        Array.Fill(values, 1e3);
        return values;
    }

    /// <summary><c>Σ a[i] · b[i]</c>: with random <c>b</c> this makes every output element contribute to a scalar objective.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Expected spans of equal length, but got {a.Length} and {b.Length}.");
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    /// <summary>
    /// The gradient of <paramref name="objective"/> with respect to each element of <paramref name="x"/> by central differences,
    /// <c>(f(x + h) - f(x - h)) / 2h</c>. <paramref name="x"/> is perturbed in place and restored exactly.
    /// </summary>
    public static double[] Numeric(double[] x, Func<double> objective, double step = Step)
    {
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + step;
            double plus = objective();
            x[i] = saved - step;
            double minus = objective();
            x[i] = saved;
            gradient[i] = (plus - minus) / (2 * step);
        }
        return gradient;
    }

    /// <summary>Checks an analytic gradient against the finite-difference gradient of the same objective.</summary>
    public static void Check(string name, double[] x, Func<double> objective, ReadOnlySpan<double> analytic, double tolerance = Tolerance)
    {
        double[] numeric = Numeric(x, objective);
        AssertClose(numeric, analytic, tolerance, name);
    }

    /// <summary>Fails with the first index where <c>|actual - expected| &gt; tolerance · max(1, |expected|)</c>.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string name)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{name}: expected {expected.Length} elements, but got {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance * Math.Max(1, Math.Abs(expected[i]))))
                throw new XunitException($"{name}[{i}]: expected {expected[i]:R}, but got {actual[i]:R} (difference {error:R}, tolerance {tolerance:R}).");
        }
    }

    /// <summary><see cref="AssertClose(ReadOnlySpan{double}, ReadOnlySpan{double}, double, string)"/> for float results, compared in double.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string name)
    {
        var widened = new double[actual.Length];
        for (int i = 0; i < actual.Length; i++)
            widened[i] = actual[i];
        AssertClose(expected, widened, tolerance, name);
    }

    /// <summary>Narrows to float, for running an op in float against its double result.</summary>
    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}
