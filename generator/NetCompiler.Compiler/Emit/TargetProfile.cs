using System;

namespace NetCompiler.Compiler.Emit;

/// <summary>A SIMD tier: the vector type's static class name and its float lanes. Width 1 is the scalar tier.</summary>
public sealed record VectorTier(string Name, int Width)
{
    public bool IsScalar => Width == 1;

    /// <summary>The vector type, e.g. <c>Vector256&lt;float&gt;</c>.</summary>
    public string Type => IsScalar ? "float" : Name + "<float>";

    /// <summary>The method-name suffix of this tier's kernels.</summary>
    public string Suffix => IsScalar ? "Scalar" : Name.Substring("Vector".Length);
}

/// <summary>
/// Target tuning as data: the emitters read these numbers and never branch on ISA names.
/// </summary>
/// <param name="Tiers">Vector tiers, widest first; each kernel gets one method per tier narrower than its vectorized dimension, plus scalar.</param>
/// <param name="DenseRows">Samples per register tile of the dense products.</param>
/// <param name="DenseColumns">Output features (forward) or vectors (backward) per register tile.</param>
public sealed record TargetProfile(EquatableArray<VectorTier> Tiers, int DenseRows, int DenseColumns)
{
    public static readonly VectorTier Scalar = new("Scalar", 1);

    /// <summary>
    /// x64 with AVX-512/AVX2 and Arm64 NEON: 2 samples x 4 columns gives 8 independent FMA chains per tile,
    /// enough to cover the 4-cycle FMA latency at 2 FMAs per cycle, and it fits 16 registers (AVX2, NEON).
    /// </summary>
    public static TargetProfile Default { get; } = new(
        EquatableArray.Of(new VectorTier("Vector512", 16), new VectorTier("Vector256", 8), new VectorTier("Vector128", 4)),
        DenseRows: 2,
        DenseColumns: 4);
}
