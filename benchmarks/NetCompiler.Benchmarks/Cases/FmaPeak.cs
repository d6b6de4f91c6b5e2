using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>
/// The machine's single-thread FMA peak: 12 independent accumulator chains, each one fused multiply-add per
/// iteration. FMA has a 4-cycle latency and two pipes here, so at least 8 chains are needed to keep both busy;
/// 12 leaves margin and, with the two operands, still fits in the 16 registers of AVX2.
/// </summary>
public class FmaPeak
{
    public const int Chains = 12;

    // Close to 1 and small: every chain converges to b / (1 - a), far from overflow and denormals.
    private const float Multiplier = 0.999f;
    private const float Addend = 0.001f;

    private float _multiplier = Multiplier;
    private float _addend = Addend;

    /// <summary>Loop trips per invocation; 2^20 makes one invocation about a millisecond.</summary>
    public int Iterations { get; set; } = 1 << 20;

    /// <summary>FLOP per invocation of a method whose vectors have <paramref name="lanes"/> floats.</summary>
    public static double FlopsPerInvoke(int lanes, int iterations) => 2.0 * Chains * lanes * iterations;

    [Benchmark(Baseline = true)]
    public float Fma256()
    {
        Vector256<float> a = Vector256.Create(_multiplier);
        Vector256<float> b = Vector256.Create(_addend);
        // Distinct starting values keep the JIT from treating the chains as one common subexpression.
        Vector256<float> acc0 = Vector256.Create(Start(0)), acc1 = Vector256.Create(Start(1)), acc2 = Vector256.Create(Start(2));
        Vector256<float> acc3 = Vector256.Create(Start(3)), acc4 = Vector256.Create(Start(4)), acc5 = Vector256.Create(Start(5));
        Vector256<float> acc6 = Vector256.Create(Start(6)), acc7 = Vector256.Create(Start(7)), acc8 = Vector256.Create(Start(8));
        Vector256<float> acc9 = Vector256.Create(Start(9)), acc10 = Vector256.Create(Start(10)), acc11 = Vector256.Create(Start(11));
        for (int i = Iterations; i > 0; i--)
        {
            acc0 = Vector256.FusedMultiplyAdd(acc0, a, b);
            acc1 = Vector256.FusedMultiplyAdd(acc1, a, b);
            acc2 = Vector256.FusedMultiplyAdd(acc2, a, b);
            acc3 = Vector256.FusedMultiplyAdd(acc3, a, b);
            acc4 = Vector256.FusedMultiplyAdd(acc4, a, b);
            acc5 = Vector256.FusedMultiplyAdd(acc5, a, b);
            acc6 = Vector256.FusedMultiplyAdd(acc6, a, b);
            acc7 = Vector256.FusedMultiplyAdd(acc7, a, b);
            acc8 = Vector256.FusedMultiplyAdd(acc8, a, b);
            acc9 = Vector256.FusedMultiplyAdd(acc9, a, b);
            acc10 = Vector256.FusedMultiplyAdd(acc10, a, b);
            acc11 = Vector256.FusedMultiplyAdd(acc11, a, b);
        }

        Vector256<float> sum = ((acc0 + acc1) + (acc2 + acc3)) + ((acc4 + acc5) + (acc6 + acc7)) + ((acc8 + acc9) + (acc10 + acc11));
        return Vector256.Sum(sum) / (Chains * Vector256<float>.Count);
    }

    [Benchmark]
    public float Fma512()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            throw new PlatformNotSupportedException("Vector512 is not hardware accelerated on this machine (Vector512.IsHardwareAccelerated is false).");
        }

        Vector512<float> a = Vector512.Create(_multiplier);
        Vector512<float> b = Vector512.Create(_addend);
        Vector512<float> acc0 = Vector512.Create(Start(0)), acc1 = Vector512.Create(Start(1)), acc2 = Vector512.Create(Start(2));
        Vector512<float> acc3 = Vector512.Create(Start(3)), acc4 = Vector512.Create(Start(4)), acc5 = Vector512.Create(Start(5));
        Vector512<float> acc6 = Vector512.Create(Start(6)), acc7 = Vector512.Create(Start(7)), acc8 = Vector512.Create(Start(8));
        Vector512<float> acc9 = Vector512.Create(Start(9)), acc10 = Vector512.Create(Start(10)), acc11 = Vector512.Create(Start(11));
        for (int i = Iterations; i > 0; i--)
        {
            acc0 = Vector512.FusedMultiplyAdd(acc0, a, b);
            acc1 = Vector512.FusedMultiplyAdd(acc1, a, b);
            acc2 = Vector512.FusedMultiplyAdd(acc2, a, b);
            acc3 = Vector512.FusedMultiplyAdd(acc3, a, b);
            acc4 = Vector512.FusedMultiplyAdd(acc4, a, b);
            acc5 = Vector512.FusedMultiplyAdd(acc5, a, b);
            acc6 = Vector512.FusedMultiplyAdd(acc6, a, b);
            acc7 = Vector512.FusedMultiplyAdd(acc7, a, b);
            acc8 = Vector512.FusedMultiplyAdd(acc8, a, b);
            acc9 = Vector512.FusedMultiplyAdd(acc9, a, b);
            acc10 = Vector512.FusedMultiplyAdd(acc10, a, b);
            acc11 = Vector512.FusedMultiplyAdd(acc11, a, b);
        }

        Vector512<float> sum = ((acc0 + acc1) + (acc2 + acc3)) + ((acc4 + acc5) + (acc6 + acc7)) + ((acc8 + acc9) + (acc10 + acc11));
        return Vector512.Sum(sum) / (Chains * Vector512<float>.Count);
    }

    /// <summary>The same chains in scalar code: the value both vector methods must return.</summary>
    internal float Scalar()
    {
        float total = 0;
        for (int chain = 0; chain < Chains; chain++)
        {
            float acc = Start(chain);
            for (int i = 0; i < Iterations; i++)
            {
                acc = MathF.FusedMultiplyAdd(acc, _multiplier, _addend);
            }

            total += acc;
        }

        return total / Chains;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Start(int chain) => 0.1f * chain;
}
