namespace NetCompiler;

/// <summary>
/// Deterministic weight initialization used by generated constructors. The same seed gives the same weights on
/// every machine and runtime: values come from SplitMix64, not <see cref="Random"/>, whose algorithm may change.
/// </summary>
public static class Initializers
{
    /// <summary>He (Kaiming) uniform: <c>U(-b, b)</c> with <c>b = √(6 / fanIn)</c>, for layers followed by ReLU.</summary>
    public static void HeUniform(Span<float> destination, int fanIn, int seed, int stream) =>
        Uniform(destination, MathF.Sqrt(6f / fanIn), seed, stream);

    /// <summary>Xavier (Glorot) uniform: <c>U(-b, b)</c> with <c>b = √(6 / (fanIn + fanOut))</c>.</summary>
    public static void XavierUniform(Span<float> destination, int fanIn, int fanOut, int seed, int stream) =>
        Uniform(destination, MathF.Sqrt(6f / (fanIn + fanOut)), seed, stream);

    /// <summary>Fills <paramref name="destination"/> with <c>U(-bound, bound)</c>; <paramref name="stream"/> separates tensors under one seed.</summary>
    public static void Uniform(Span<float> destination, float bound, int seed, int stream)
    {
        ulong state = ((ulong)(uint)seed << 32) ^ (uint)stream ^ 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < destination.Length; i++)
        {
            // 24 random bits give every float in [0, 1) on a uniform grid.
            float unit = (SplitMix64(ref state) >> 40) * (1f / (1 << 24));
            destination[i] = (2f * unit - 1f) * bound;
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
