using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetCompiler;

/// <summary>
/// Exp, log and the activation functions over whole vectors, for generated code (the fused step of small networks keeps
/// every activation in registers). One overload per vector width; each inlines into its caller, with no call left.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Exp</c>: Cephes' <c>expf</c>: <c>e^x = 2^n · e^r</c> with <c>n = round(x / ln 2)</c>, <c>|r| ≤ ln 2 / 2</c> and a
/// degree-7 polynomial for <c>e^r</c>. Above 88.72 the result is +∞, below -87.33 it is 0 (no subnormal results).</item>
/// <item><c>Log</c>: Cephes' <c>logf</c>: <c>x = m · 2^e</c> with <c>m</c> in [√½, √2) and a degree-10 polynomial in <c>m - 1</c>.
/// 0 and subnormal inputs give -∞, negative ones NaN, +∞ gives +∞.</item>
/// <item><c>Tanh</c>: below <c>|x| = 0.3</c> the odd Taylor series to <c>x¹¹</c> (where <c>1 - e^-2|x|</c> would cancel), above it
/// <c>(1 - e^-2|x|) / (1 + e^-2|x|)</c>; the sign is copied from <c>x</c>, so tanh(±0) = ±0 and tanh(±∞) = ±1.</item>
/// <item><c>Sigmoid</c>: <c>1 / (1 + e^-x)</c>, the scalar kernels' formula.</item>
/// </list>
/// All agree with the double-precision functions to a few units in the last place and propagate NaN.
/// </remarks>
public static class VectorMath
{
    // ln 2 = Ln2High + Ln2Low, Ln2High with few enough bits that n · Ln2High is exact.
    private const float Log2E = 1.44269504088896341f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    // Below ExpUnderflow e^x is subnormal, above ExpOverflow it exceeds float.MaxValue; the reduction runs on x clamped to the range in between.
    private const float ExpUnderflow = -87.336544f, ExpOverflow = 88.72283f;
    private const float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f, E3 = 4.1665795894e-2f, E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;
    private const float Sqrt2 = 1.41421356237f, SmallestNormal = 1.17549435e-38f;
    private const float L0 = 7.0376836292e-2f, L1 = -1.1514610310e-1f, L2 = 1.1676998740e-1f, L3 = -1.2420140846e-1f, L4 = 1.4249322787e-1f,
        L5 = -1.6668057665e-1f, L6 = 2.0000714765e-1f, L7 = -2.4999993993e-1f, L8 = 3.3333331174e-1f;
    private const float SeriesLimit = 0.3f;
    // tanh(x) / x - 1 = x²·(C3 + x²·(C5 + x²·(C7 + x²·(C9 + x²·C11)))): the Taylor coefficients.
    private const float C3 = -1f / 3f, C5 = 2f / 15f, C7 = -17f / 315f, C9 = 62f / 2835f, C11 = -1382f / 155925f;

    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        Vector128<float> c = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpUnderflow)), Vector128.Create(ExpOverflow));
        Vector128<float> n = Vector128.Round(c * Log2E);
        Vector128<float> r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), c));
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.Create(E0), r, Vector128.Create(E1)), r, Vector128.Create(E2)), r, Vector128.Create(E3)), r, Vector128.Create(E4)), r, Vector128.Create(E5));
        // 2^n as 2^h · 2^(n - h), h = n / 2, so that n = 128 (e^x near float.MaxValue) and n = -126 stay normal.
        Vector128<int> ni = Vector128.ConvertToInt32Native(n), h = ni >> 1;
        Vector128<float> power1 = ((h + Vector128.Create(127)) << 23).AsSingle(), power2 = ((ni - h + Vector128.Create(127)) << 23).AsSingle();
        Vector128<float> y = Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One) * power1 * power2;
        y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(ExpUnderflow)), Vector128<float>.Zero, y);
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(ExpOverflow)), Vector128.Create(float.PositiveInfinity), y);
    }

    /// <summary>Natural logarithm of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> x)
    {
        Vector128<int> bits = x.AsInt32();
        Vector128<float> m = ((bits & Vector128.Create(0x007FFFFF)) | Vector128.Create(0x3F800000)).AsSingle(); // [1, 2)
        Vector128<float> e = Vector128.ConvertToSingle((bits >>> 23) - Vector128.Create(127));
        Vector128<float> halve = Vector128.GreaterThanOrEqual(m, Vector128.Create(Sqrt2));
        m = Vector128.ConditionalSelect(halve, m * 0.5f, m);
        e += halve & Vector128<float>.One;
        Vector128<float> f = m - Vector128<float>.One, f2 = f * f;
        Vector128<float> y = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.Create(L0), f, Vector128.Create(L1)), f, Vector128.Create(L2)), f, Vector128.Create(L3)), f, Vector128.Create(L4)), f, Vector128.Create(L5)), f, Vector128.Create(L6)), f, Vector128.Create(L7)), f, Vector128.Create(L8)) * f * f2;
        y = Vector128.FusedMultiplyAdd(e, Vector128.Create(Ln2Low), y);
        y = Vector128.FusedMultiplyAdd(f2, Vector128.Create(-0.5f), y);
        y = Vector128.FusedMultiplyAdd(e, Vector128.Create(Ln2High), f + y);
        y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(SmallestNormal)), Vector128.Create(float.NegativeInfinity), y);
        y = Vector128.ConditionalSelect(Vector128.Equals(x, Vector128.Create(float.PositiveInfinity)), x, y);
        y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128.Create(float.NaN), y);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> a = Vector128.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector128<float> series = Vector128.FusedMultiplyAdd(a * a2, Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.Create(C11), a2, Vector128.Create(C9)), a2, Vector128.Create(C7)), a2, Vector128.Create(C5)), a2, Vector128.Create(C3)), a);
        Vector128<float> exp = (Vector128<float>.One - e) / (Vector128<float>.One + e);
        return Vector128.CopySign(Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));


    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        Vector256<float> c = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpUnderflow)), Vector256.Create(ExpOverflow));
        Vector256<float> n = Vector256.Round(c * Log2E);
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), c));
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(E0), r, Vector256.Create(E1)), r, Vector256.Create(E2)), r, Vector256.Create(E3)), r, Vector256.Create(E4)), r, Vector256.Create(E5));
        // 2^n as 2^h · 2^(n - h), h = n / 2, so that n = 128 (e^x near float.MaxValue) and n = -126 stay normal.
        Vector256<int> ni = Vector256.ConvertToInt32Native(n), h = ni >> 1;
        Vector256<float> power1 = ((h + Vector256.Create(127)) << 23).AsSingle(), power2 = ((ni - h + Vector256.Create(127)) << 23).AsSingle();
        Vector256<float> y = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One) * power1 * power2;
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpUnderflow)), Vector256<float>.Zero, y);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpOverflow)), Vector256.Create(float.PositiveInfinity), y);
    }

    /// <summary>Natural logarithm of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        Vector256<int> bits = x.AsInt32();
        Vector256<float> m = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle(); // [1, 2)
        Vector256<float> e = Vector256.ConvertToSingle((bits >>> 23) - Vector256.Create(127));
        Vector256<float> halve = Vector256.GreaterThanOrEqual(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(halve, m * 0.5f, m);
        e += halve & Vector256<float>.One;
        Vector256<float> f = m - Vector256<float>.One, f2 = f * f;
        Vector256<float> y = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(L0), f, Vector256.Create(L1)), f, Vector256.Create(L2)), f, Vector256.Create(L3)), f, Vector256.Create(L4)), f, Vector256.Create(L5)), f, Vector256.Create(L6)), f, Vector256.Create(L7)), f, Vector256.Create(L8)) * f * f2;
        y = Vector256.FusedMultiplyAdd(e, Vector256.Create(Ln2Low), y);
        y = Vector256.FusedMultiplyAdd(f2, Vector256.Create(-0.5f), y);
        y = Vector256.FusedMultiplyAdd(e, Vector256.Create(Ln2High), f + y);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(SmallestNormal)), Vector256.Create(float.NegativeInfinity), y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(float.NaN), y);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> a = Vector256.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector256<float> series = Vector256.FusedMultiplyAdd(a * a2, Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(C11), a2, Vector256.Create(C9)), a2, Vector256.Create(C7)), a2, Vector256.Create(C5)), a2, Vector256.Create(C3)), a);
        Vector256<float> exp = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        return Vector256.CopySign(Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));


    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> c = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpUnderflow)), Vector512.Create(ExpOverflow));
        Vector512<float> n = Vector512.Round(c * Log2E);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), c));
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(E0), r, Vector512.Create(E1)), r, Vector512.Create(E2)), r, Vector512.Create(E3)), r, Vector512.Create(E4)), r, Vector512.Create(E5));
        // 2^n as 2^h · 2^(n - h), h = n / 2, so that n = 128 (e^x near float.MaxValue) and n = -126 stay normal.
        Vector512<int> ni = Vector512.ConvertToInt32Native(n), h = ni >> 1;
        Vector512<float> power1 = ((h + Vector512.Create(127)) << 23).AsSingle(), power2 = ((ni - h + Vector512.Create(127)) << 23).AsSingle();
        Vector512<float> y = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One) * power1 * power2;
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpUnderflow)), Vector512<float>.Zero, y);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpOverflow)), Vector512.Create(float.PositiveInfinity), y);
    }

    /// <summary>Natural logarithm of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x)
    {
        Vector512<int> bits = x.AsInt32();
        Vector512<float> m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle(); // [1, 2)
        Vector512<float> e = Vector512.ConvertToSingle((bits >>> 23) - Vector512.Create(127));
        Vector512<float> halve = Vector512.GreaterThanOrEqual(m, Vector512.Create(Sqrt2));
        m = Vector512.ConditionalSelect(halve, m * 0.5f, m);
        e += halve & Vector512<float>.One;
        Vector512<float> f = m - Vector512<float>.One, f2 = f * f;
        Vector512<float> y = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(L0), f, Vector512.Create(L1)), f, Vector512.Create(L2)), f, Vector512.Create(L3)), f, Vector512.Create(L4)), f, Vector512.Create(L5)), f, Vector512.Create(L6)), f, Vector512.Create(L7)), f, Vector512.Create(L8)) * f * f2;
        y = Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2Low), y);
        y = Vector512.FusedMultiplyAdd(f2, Vector512.Create(-0.5f), y);
        y = Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2High), f + y);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(SmallestNormal)), Vector512.Create(float.NegativeInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, y);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(float.NaN), y);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> a = Vector512.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector512<float> series = Vector512.FusedMultiplyAdd(a * a2, Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C11), a2, Vector512.Create(C9)), a2, Vector512.Create(C7)), a2, Vector512.Create(C5)), a2, Vector512.Create(C3)), a);
        Vector512<float> exp = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        return Vector512.CopySign(Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

}
