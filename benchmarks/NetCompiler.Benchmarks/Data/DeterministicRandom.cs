namespace NetCompiler.Benchmarks.Data;

/// <summary>
/// SplitMix64: a tiny seeded generator whose sequence is fixed by its seed on every runtime and platform,
/// unlike <see cref="Random"/>, whose algorithm may change between .NET versions.
/// </summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits, the full float mantissa.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    public float NextSingle(float low, float high) => low + (high - low) * NextSingle();

    public int NextInt32(int exclusiveMax) => (int)(NextUInt64() % (ulong)exclusiveMax);

    public void FillUniform(Span<float> destination, float low, float high)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextSingle(low, high);
        }
    }
}
