using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetCompiler;

/// <summary>
/// Activation functions over whole vectors, for generated code (the fused step of small networks keeps every
/// activation in registers). One overload per vector width; each inlines into its caller, with no call left.
/// </summary>
/// <remarks>
/// <c>Exp</c>: Cephes' <c>expf</c>, <c>e^x = 2^n · e^r</c> with <c>n = round(x / ln 2)</c>, <c>|r| ≤ ln 2 / 2</c> and a degree-7
/// polynomial for <c>e^r</c> (within 2 units in the last place); <c>x</c> is clamped to [-87.3, 88], so the result
/// stays between about 1.2e-38 and 1.7e38 (the activations and the softmax need no more). <c>Tanh</c>: below <c>|x| = 0.3</c> the odd Taylor series to <c>x¹¹</c> (relative error under 1e-8, where
/// <c>1 - e^-2|x|</c> would cancel), above it <c>(1 - e^-2|x|) / (1 + e^-2|x|)</c>; the sign is copied from <c>x</c>, so
/// tanh(0) = 0 and tanh(±∞) = ±1. <c>Sigmoid</c>: <c>1 / (1 + e^-x)</c>, the scalar kernels' formula. Both agree with
/// <see cref="MathF"/> to a few units in the last place and propagate NaN.
/// </remarks>
public static class VectorMath
{
    // ln 2 = Ln2High + Ln2Low, Ln2High with few enough bits that n · Ln2High is exact.
    private const float Log2E = 1.44269504088896341f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float ExpMin = -87.3f, ExpMax = 88f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private const float SeriesLimit = 0.3f;
    // tanh(x) / x - 1 = x²·(C3 + x²·(C5 + x²·(C7 + x²·(C9 + x²·C11)))): the Taylor coefficients.
    private const float C3 = -1f / 3f, C5 = 2f / 15f, C7 = -17f / 315f, C9 = 62f / 2835f, C11 = -1382f / 155925f;

    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpMin)), Vector128.Create(ExpMax));
        Vector128<float> n = Vector128.Round(x * Log2E);
        Vector128<float> r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), x));
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(
            Vector128.Create(P0), r, Vector128.Create(P1)), r, Vector128.Create(P2)), r, Vector128.Create(P3)), r, Vector128.Create(P4)), r, Vector128.Create(P5));
        Vector128<float> power = ((Vector128.ConvertToInt32Native(n) + Vector128.Create(127)) << 23).AsSingle();
        return Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One) * power;
    }

    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMax));
        Vector256<float> n = Vector256.Round(x * Log2E);
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x));
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(
            Vector256.Create(P0), r, Vector256.Create(P1)), r, Vector256.Create(P2)), r, Vector256.Create(P3)), r, Vector256.Create(P4)), r, Vector256.Create(P5));
        Vector256<float> power = ((Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23).AsSingle();
        return Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One) * power;
    }

    /// <summary>e to the power of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        Vector512<float> n = Vector512.Round(x * Log2E);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x));
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
            Vector512.Create(P0), r, Vector512.Create(P1)), r, Vector512.Create(P2)), r, Vector512.Create(P3)), r, Vector512.Create(P4)), r, Vector512.Create(P5));
        Vector512<float> power = ((Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23).AsSingle();
        return Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One) * power;
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> a = Vector128.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector128<float> series = Vector128.FusedMultiplyAdd(a * a2, Vector128.FusedMultiplyAdd(a2, Vector128.FusedMultiplyAdd(a2,
            Vector128.FusedMultiplyAdd(a2, Vector128.FusedMultiplyAdd(a2, Vector128.Create(C11), Vector128.Create(C9)), Vector128.Create(C7)),
            Vector128.Create(C5)), Vector128.Create(C3)), a);
        Vector128<float> exp = (Vector128<float>.One - e) / (Vector128<float>.One + e);
        return Vector128.CopySign(Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> a = Vector256.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector256<float> series = Vector256.FusedMultiplyAdd(a * a2, Vector256.FusedMultiplyAdd(a2, Vector256.FusedMultiplyAdd(a2,
            Vector256.FusedMultiplyAdd(a2, Vector256.FusedMultiplyAdd(a2, Vector256.Create(C11), Vector256.Create(C9)), Vector256.Create(C7)),
            Vector256.Create(C5)), Vector256.Create(C3)), a);
        Vector256<float> exp = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        return Vector256.CopySign(Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Hyperbolic tangent of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> a = Vector512.Abs(x), a2 = a * a, e = Exp(a * -2f);
        Vector512<float> series = Vector512.FusedMultiplyAdd(a * a2, Vector512.FusedMultiplyAdd(a2, Vector512.FusedMultiplyAdd(a2,
            Vector512.FusedMultiplyAdd(a2, Vector512.FusedMultiplyAdd(a2, Vector512.Create(C11), Vector512.Create(C9)), Vector512.Create(C7)),
            Vector512.Create(C5)), Vector512.Create(C3)), a);
        Vector512<float> exp = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        return Vector512.CopySign(Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SeriesLimit)), series, exp), x);
    }

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>Logistic sigmoid of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));
}
