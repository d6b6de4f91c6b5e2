namespace NetCompiler.Data;

/// <summary>
/// A small seeded generator (Steele, Lea and Flood's SplitMix64). Used instead of <see cref="Random"/> so that
/// a run's order depends only on (seed, epoch), stays the same across .NET versions, and seeding allocates nothing.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(int seed, int epoch, ulong stream)
    {
        // Mixing epoch and stream into the seed gives each epoch (and each use within it) an independent sequence,
        // so training resumed at epoch k sees the order a full run would have seen.
        _state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)epoch << 32) ^ stream;
        NextUInt64();
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in <c>[0, bound)</c>, without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt32(int bound)
    {
        uint range = (uint)bound;
        ulong product = (ulong)(uint)(NextUInt64() >> 32) * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (0u - range) % range;
            while (low < threshold)
            {
                product = (ulong)(uint)(NextUInt64() >> 32) * range;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }
}
