using System.Runtime.Intrinsics;
using Xunit;

namespace NetCompiler.Runtime.Tests;

/// <summary>
/// The vector exp, tanh and sigmoid of the fused step against double-precision <see cref="Math"/>, lane by lane, at
/// every width (a width without hardware support runs the software fallback of the same operations).
/// </summary>
public sealed class VectorMathTests
{
    // float's unit roundoff is 6e-8; the polynomials and the divisions add a few units.
    private const double Relative = 4e-7;

    /// <summary>A dense sweep of [-limit, limit] with extra points near zero, where tanh switches formulas at 0.3.</summary>
    private static float[] Sweep(float limit)
    {
        var values = new List<float>();
        for (int i = -4000; i <= 4000; i++) values.Add(limit * i / 4000f);
        foreach (float x in (float[])[1e-30f, 1e-7f, 1e-4f, 0.2999999f, 0.3f, 0.3000001f, 0.5f])
        {
            values.Add(x);
            values.Add(-x);
        }
        return values.ToArray();
    }

    private static void AssertLanes(float[] x, Func<float, double> expected, Func<float[], float[]> actual, double absolute, string what)
    {
        float[] y = actual(x);
        for (int i = 0; i < x.Length; i++)
        {
            double e = expected(x[i]);
            double tolerance = absolute + Relative * Math.Abs(e);
            Assert.True(Math.Abs(y[i] - e) <= tolerance, $"{what}({x[i]:R}) = {y[i]:R}, expected {e:R} within {tolerance:R}.");
        }
    }

    /// <summary>Applies the operation to <paramref name="x"/> in vectors of each width and checks all three agree.</summary>
    private static Func<float[], float[]> Lanes(Func<Vector128<float>, Vector128<float>> f128, Func<Vector256<float>, Vector256<float>> f256, Func<Vector512<float>, Vector512<float>> f512) => x =>
    {
        int length = (x.Length + 15) / 16 * 16;
        var padded = new float[length];
        x.CopyTo(padded, 0);
        float[] y128 = new float[length], y256 = new float[length], y512 = new float[length];
        for (int i = 0; i < length; i += 4) f128(Vector128.Create(padded, i)).CopyTo(y128, i);
        for (int i = 0; i < length; i += 8) f256(Vector256.Create(padded, i)).CopyTo(y256, i);
        for (int i = 0; i < length; i += 16) f512(Vector512.Create(padded, i)).CopyTo(y512, i);
        Assert.Equal(y128, y256);
        Assert.Equal(y128, y512);
        return y128[..x.Length];
    };

    [Fact]
    public void Exp_IsWithinAFewUlpOverItsRange() =>
        AssertLanes(Sweep(87f), x => Math.Exp(x), Lanes(VectorMath.Exp, VectorMath.Exp, VectorMath.Exp), 0, "exp");

    [Fact]
    public void Log_IsWithinAFewUlpFromTheSmallestNormalToTheLargestFloat()
    {
        var x = new List<float>();
        for (float v = 1.17549435e-38f; v < 3e38f; v *= 1.01f) x.Add(v);
        for (int i = 1; i <= 4000; i++) x.Add(i / 2000f); // around 1, where log m - 1 is small
        AssertLanes(x.ToArray(), v => Math.Log(v), Lanes(VectorMath.Log, VectorMath.Log, VectorMath.Log), 1e-7, "log");
    }

    [Fact]
    public void Tanh_IsWithinAFewUlpAndExactAtZero()
    {
        AssertLanes(Sweep(12f), x => Math.Tanh(x), Lanes(VectorMath.Tanh, VectorMath.Tanh, VectorMath.Tanh), 0, "tanh");
        Assert.Equal(0f, VectorMath.Tanh(Vector256<float>.Zero).ToScalar());
    }

    [Fact]
    public void Sigmoid_IsWithinAFewUlp() =>
        AssertLanes(Sweep(80f), x => 1 / (1 + Math.Exp(-x)), Lanes(VectorMath.Sigmoid, VectorMath.Sigmoid, VectorMath.Sigmoid), 1e-38, "sigmoid");

    [Fact]
    public void SpecialValues_SaturateOrPropagateNaN()
    {
        Vector256<float> x = Vector256.Create(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1000f, -1000f, 0f, -0f, 88.5f);

        float[] tanh = new float[8], sigmoid = new float[8], exp = new float[8];
        VectorMath.Tanh(x).CopyTo(tanh);
        VectorMath.Sigmoid(x).CopyTo(sigmoid);
        VectorMath.Exp(x).CopyTo(exp);

        Assert.True(float.IsNaN(tanh[0]) && float.IsNaN(sigmoid[0]) && float.IsNaN(exp[0]), "NaN must propagate.");
        Assert.Equal([1f, -1f, 1f, -1f, 0f, -0f, 1f], tanh[1..]);
        Assert.Equal([1f, 0f, 1f, 0f, 0.5f, 0.5f, 1f], sigmoid[1..]);
        Assert.Equal([float.PositiveInfinity, 0f, float.PositiveInfinity, 0f, 1f, 1f], exp[1..7]);
        Assert.Equal(Math.Exp(88.5), exp[7], 5e-7 * Math.Exp(88.5));
    }

    [Fact]
    public void Log_SpecialValues()
    {
        Vector256<float> x = Vector256.Create(float.NaN, float.PositiveInfinity, 0f, -0f, 1e-40f, -1f, 1f, float.NegativeInfinity);

        float[] log = new float[8];
        VectorMath.Log(x).CopyTo(log);

        Assert.True(float.IsNaN(log[0]));
        Assert.Equal([float.PositiveInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity], log[1..5]);
        Assert.True(float.IsNaN(log[5]) && float.IsNaN(log[7]), "The log of a negative number is NaN.");
        Assert.Equal(0f, log[6]);
    }
}
