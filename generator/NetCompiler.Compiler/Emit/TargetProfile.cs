using System;

namespace NetCompiler.Compiler.Emit;

/// <summary>A SIMD tier: the vector type's static class name, its float lanes and its dense tile sizes. Width 1 is the scalar tier.</summary>
public sealed record VectorTier(string Name, int Width, DenseTiles Dense)
{
    public bool IsScalar => Width == 1;

    /// <summary>The vector type, e.g. <c>Vector256&lt;float&gt;</c>.</summary>
    public string Type => IsScalar ? "float" : Name + "<float>";

    /// <summary>The method-name suffix of this tier's kernels.</summary>
    public string Suffix => IsScalar ? "Scalar" : Name.Substring("Vector".Length);
}

/// <summary>
/// Register tile sizes of the three dense products for one tier. A tile of <c>r x c</c> keeps <c>r · c</c>
/// accumulators live, plus one register per broadcast or row operand, so the sizes follow the register file.
/// </summary>
/// <param name="ForwardRows">Samples per forward dot-product tile; the weight streams from L2 once per this many samples.</param>
/// <param name="ForwardColumns">Output features per forward dot-product tile.</param>
/// <param name="WeightGradRows">Output features per weight-gradient tile (<c>dW = dZᵀ·x</c>), one broadcast each.</param>
/// <param name="WeightGradVectors">Vectors of input features per weight-gradient tile; the input block of all samples is reused by every output.</param>
/// <param name="InputGradRows">Samples per input-gradient tile (<c>dX = dZ·W</c>).</param>
/// <param name="InputGradVectors">Vectors of input features per input-gradient tile.</param>
/// <param name="PackedRows">Samples per tile of the forward product over packed weight panels, one broadcast each.</param>
/// <param name="PackedVectors">Vectors of a packed panel's outputs per tile; the panel is walked in groups of this many.</param>
public sealed record DenseTiles(int ForwardRows, int ForwardColumns, int WeightGradRows, int WeightGradVectors, int InputGradRows, int InputGradVectors,
    int PackedRows, int PackedVectors);

/// <summary>
/// Target tuning as data: the emitters read these numbers and never branch on ISA names.
/// </summary>
/// <param name="Tiers">Vector tiers, widest first; each kernel gets one method per tier narrower than its vectorized dimension, plus scalar.</param>
/// <param name="DenseRows">Rows per register tile of the convolution products.</param>
/// <param name="DenseColumns">Columns (dot products) or vectors (broadcast products) per register tile of the convolution products.</param>
/// <param name="PanelWidth">Outputs per packed weight panel <c>[In, PanelWidth]</c>, the same for every tier so that one packed copy serves all.</param>
/// <param name="PackedMinBatch">Smallest batch whose dense forward runs over packed panels; smaller batches use the dot-product tiles.</param>
/// <param name="PackedMinWeights">Smallest weight count (<c>In · Out</c>) of a dense layer that gets packed panels.</param>
/// <param name="ConvSampleBlockBytes">Bytes of im2col columns and output gradients that one block of samples of a convolution's weight gradient may span.</param>
/// <param name="SplitMinBatch">Smallest batch that two threads share in two-thread mode.</param>
/// <param name="SplitMinMacsPerSample">Smallest product (multiply-adds per sample) that two threads share; a pool shares its work from a sixteenth of it in outputs per sample.</param>
/// <param name="SplitWeightsPerSample">A dense layer splits from <c>weights / SplitWeightsPerSample</c> samples (at least <paramref name="SplitMinBatch"/>).</param>
/// <param name="TwoThreadMinMacsPerSample">Multiply-adds per sample (of the layers that split) from which a network uses two threads by default.</param>
/// <param name="FusedStepMaxParameters">Most parameters of a network of dense layers whose train step is one fused, straight-line method.</param>
/// <param name="FusedStepMaxWidth">Most features of any layer of such a network (inputs excepted: the first layer reads them one at a time).</param>
public sealed record TargetProfile(EquatableArray<VectorTier> Tiers, int DenseRows, int DenseColumns, int PanelWidth, int PackedMinBatch, int PackedMinWeights,
    int ConvSampleBlockBytes, int SplitMinBatch, int SplitMinMacsPerSample, int SplitWeightsPerSample, int TwoThreadMinMacsPerSample,
    int FusedStepMaxParameters, int FusedStepMaxWidth)
{
    /// <summary>
    /// Scalar floats live in the 16 (x64) or 32 (Arm64) FP registers: 2 x 4 tiles give 8 independent chains, enough
    /// for the 4-cycle add latency, without spilling on x64.
    /// </summary>
    public static readonly VectorTier Scalar = new("Scalar", 1, new DenseTiles(
        ForwardRows: 2, ForwardColumns: 4, WeightGradRows: 2, WeightGradVectors: 4, InputGradRows: 2, InputGradVectors: 4,
        PackedRows: 2, PackedVectors: 4));

    /// <summary>
    /// x64 with AVX-512/AVX2 and Arm64 NEON. The FMA latency is 4 cycles at up to 2 FMAs per cycle, so every tile
    /// keeps at least 8 independent accumulators. The 1 MiB L2 delivers about half a 64-byte vector per cycle, so a
    /// product that streams a matrix from L2 must reuse each loaded vector in at least 2 FMAs (4 to leave headroom).
    /// </summary>
    public static TargetProfile Default { get; } = new(
        EquatableArray.Of(
            // 32 registers. Packed 8 x 2: 16 accumulators initialised with the bias, 2 panel loads + 8 broadcasts per
            // 16 FMAs, no horizontal sums. Forward 4 x 6: 24 accumulators + 4 input rows + 1 weight vector = 29 registers; each
            // weight vector loaded from L2 feeds 4 FMAs and each input vector (L1) 6, 10 loads per 24 FMAs.
            // Weight gradient 4 x 4: 16 accumulators + 4 broadcasts + 1 input vector, 8 loads per 16 FMAs; with
            // the input block (64 columns of every sample) outermost, it stays in L1 for all outputs.
            new VectorTier("Vector512", 16, new DenseTiles(
                ForwardRows: 4, ForwardColumns: 6, WeightGradRows: 4, WeightGradVectors: 4, InputGradRows: 4, InputGradVectors: 4,
                PackedRows: 8, PackedVectors: 2)),
            // 16 registers. Forward 3 x 4: 12 accumulators + 3 rows + 1 weight = 16. Gradients 3 x 3: 9
            // accumulators + 3 broadcasts + 1 vector = 13, leaving room for addresses the JIT keeps in vectors.
            // Packed 4 x 2: 8 accumulators + 2 panel vectors + 1 broadcast.
            new VectorTier("Vector256", 8, new DenseTiles(
                ForwardRows: 3, ForwardColumns: 4, WeightGradRows: 3, WeightGradVectors: 3, InputGradRows: 3, InputGradVectors: 3,
                PackedRows: 4, PackedVectors: 2)),
            // SSE (16 registers) when AVX is off; NEON has 32 but shares this tier, so it gets the 16-register sizes.
            new VectorTier("Vector128", 4, new DenseTiles(
                ForwardRows: 3, ForwardColumns: 4, WeightGradRows: 3, WeightGradVectors: 3, InputGradRows: 3, InputGradVectors: 3,
                PackedRows: 4, PackedVectors: 2))),
        // The convolution products keep 2 x 4 tiles: 8 independent FMA chains that fit every register file.
        DenseRows: 2,
        DenseColumns: 4,
        // Two Vector512 (four Vector256) of outputs: the 8 x 2 tile covers a panel in one pass.
        PanelWidth: 32,
        // A network that trains repacks after every update: packing 784 x 128 weights takes about 27 us and the packed
        // product saves about 0.45 us per sample over the dot tiles (--profile, Zen 4), so it pays from about 60 samples.
        // Networks without an optimizer pack once and always use the panels.
        PackedMinBatch: 64,
        // Below 16K weights the layer is a small share of the step and its weight stays in L1 for the dot tiles.
        PackedMinWeights: 16384,
        // Half the 1 MiB L2: the weight-gradient tiles re-read a block's columns once per tile row, from L2 instead of L3.
        ConvSampleBlockBytes: 512 * 1024,
        // Handing half a kernel to the worker thread and waiting for it costs about 1-2 us: it pays for batches of 16 or
        // more samples of products with 4K multiply-adds per sample (about 1 us of work each at 16 samples).
        SplitMinBatch: 16,
        SplitMinMacsPerSample: 4096,
        // Each thread streams all of a dense layer's weights and writes a whole weight gradient, which then crosses to
        // the other core: 784 x 128 (100K weights) lost at batch 32 (272 vs 148 us) and won at 256 (696 vs 1,001 us).
        SplitWeightsPerSample: 1024,
        // Two threads by default only for networks whose steps are long enough that a second core is clearly worth its
        // power and its run-to-run differences in the last bits of the weight gradients; smaller ones opt in (Threads = 2).
        TwoThreadMinMacsPerSample: 1_000_000,
        // A fused step keeps every weight, gradient and activation of the network in registers for the whole batch and
        // unrolls every product, so its code grows with the parameters (about 3 lines per weight and tier): XOR 2-8-1 has 33.
        FusedStepMaxParameters: 256,
        FusedStepMaxWidth: 32);
}
