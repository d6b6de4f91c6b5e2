namespace NetCompiler.Runtime.Tests;

/// <summary>Managed bytes that a piece of code allocates on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="action"/> allocated over <paramref name="rounds"/> runs. An allocation of the code
    /// itself shows in every round; a one-off allocation of the runtime on this thread (the JIT installing a tier-1 or
    /// on-stack-replacement version of a hot method while it is being measured) shows in one round at most.
    /// </summary>
    public static long Fewest(Action action, int rounds = 3)
    {
        long fewest = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
