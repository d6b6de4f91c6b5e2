using System;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// Inverted dropout, one thread per element, with the C# kernels' counter-based generator: element <c>i</c> of the batch
/// draws <c>Mix(key + (i + 1)·γ)</c> (SplitMix64's finalizer) and is kept when the top 32 bits are at least
/// <c>floor(rate·2³²)</c>. The host computes the key from the seed, the layer and the optimizer step exactly as the
/// CPU network does, so both draw the same mask bit for bit.
/// </summary>
public static class DropoutKernels
{
    /// <summary>Threads per block.</summary>
    public const int BlockSize = 256;

    private const string Gamma = "0x9E3779B97F4A7C15";

    /// <summary>
    /// Training: <c>mask = bits ≥ threshold ? 1 / (1 - rate) : 0</c>, <c>y = x · mask</c>; inference (<c>training = 0</c>):
    /// <c>y = x</c>, <c>mask = 1</c>. Parameters: <c>x [batch, size], key (u64), training (u32), batch, y [batch, size], mask [batch, size]</c>.
    /// </summary>
    public static PtxKernel Forward(string name, int size, float rate)
    {
        PtxFormat.ValidatePositive(size, nameof(size));
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"The dropout rate must be in [0, 1), but was {rate.ToString("R", CultureInfo.InvariantCulture)}.");
        }

        // The same threshold and scale as the C# kernel: floor keeps the drop probability at most the rate.
        uint threshold = (uint)Math.Floor(rate * 4294967296.0);
        float scale = 1f / (1f - rate);
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"dropout forward: y[batch, {size}] = x .* mask, rate {rate.ToString("R", CultureInfo.InvariantCulture)}, threshold {threshold.ToString(CultureInfo.InvariantCulture)}");
        string x = kernel.PointerParameter("x", $"[batch, {size}]");
        string key = kernel.U64Parameter("key");
        string training = kernel.U32Parameter("training");
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {size}]");
        string mask = kernel.PointerParameter("mask", $"[batch, {size}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, size);
        var w = kernel.Body;
        string z = kernel.U64("z");
        string t = kernel.U64("t");
        string bits = kernel.U32("bits");
        string keep = kernel.Pred("keep");
        string inference = kernel.Pred("inference");
        string m = kernel.F32("m");
        string value = kernel.F32("value");
        string address = kernel.U64("address");

        w.Line($"mov.f32 {m}, {PtxActivationEmitter.One};");
        w.Line($"setp.eq.u32 {inference}, {training}, 0;");
        w.Line($"@{inference} bra APPLY;");
        w.Comment($"z = Mix(key + (i + 1) gamma); keep when its top 32 bits >= threshold.");
        w.Line($"cvt.u64.u32 {z}, {index};");
        w.Line($"add.u64 {z}, {z}, 1;");
        w.Line($"mul.lo.u64 {z}, {z}, {Gamma};");
        w.Line($"add.u64 {z}, {z}, {key};");
        w.Line($"shr.u64 {t}, {z}, 30;");
        w.Line($"xor.b64 {z}, {z}, {t};");
        w.Line($"mul.lo.u64 {z}, {z}, 0xBF58476D1CE4E5B9;");
        w.Line($"shr.u64 {t}, {z}, 27;");
        w.Line($"xor.b64 {z}, {z}, {t};");
        w.Line($"mul.lo.u64 {z}, {z}, 0x94D049BB133111EB;");
        w.Line($"shr.u64 {t}, {z}, 31;");
        w.Line($"xor.b64 {z}, {z}, {t};");
        w.Line($"shr.u64 {z}, {z}, 32;");
        w.Line($"cvt.u32.u64 {bits}, {z};");
        w.Line($"setp.ge.u32 {keep}, {bits}, {threshold};");
        w.Line($"selp.f32 {m}, {PtxFormat.Float(scale)}, {PtxActivationEmitter.Zero}, {keep};");
        w.Label("APPLY");
        kernel.ElementAddress(address, x, index);
        w.Line($"ld.global.nc.f32 {value}, [{address}];");
        w.Line($"mul.rn.f32 {value}, {value}, {m};");
        kernel.ElementAddress(address, y, index);
        w.Line($"st.global.f32 [{address}], {value};");
        kernel.ElementAddress(address, mask, index);
        w.Line($"st.global.f32 [{address}], {m};");
        w.Line($"ret;");
        return kernel.Build(ElementwiseKernels.Launch(name, size));
    }

    /// <summary>
    /// <c>dX = (dY · mask) · f'(y)</c> for the fused <paramref name="inputActivation"/>, from its saved output y.
    /// Parameters: <c>dY [batch, size], mask [batch, size], y [batch, size] (unless identity), batch, dX [batch, size]</c>.
    /// </summary>
    public static PtxKernel Backward(string name, int size, PtxActivation inputActivation)
    {
        PtxFormat.ValidatePositive(size, nameof(size));
        bool fused = inputActivation != PtxActivation.Identity;
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"dropout backward: dX[batch, {size}] = dY .* mask{(fused ? $" .* {PtxActivationEmitter.Describe(inputActivation)}'(y)" : "")}");
        string dY = kernel.PointerParameter("dY", $"[batch, {size}]");
        string mask = kernel.PointerParameter("mask", $"[batch, {size}]");
        string? y = fused ? kernel.PointerParameter("y", $"[batch, {size}] saved {PtxActivationEmitter.Describe(inputActivation)} output") : null;
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {size}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, size);
        var w = kernel.Body;
        string gradient = kernel.F32("gradient");
        string m = kernel.F32("m");
        string address = kernel.U64("address");
        kernel.ElementAddress(address, dY, index);
        w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
        kernel.ElementAddress(address, mask, index);
        w.Line($"ld.global.nc.f32 {m}, [{address}];");
        w.Line($"mul.rn.f32 {gradient}, {gradient}, {m};");
        ElementwiseKernels.EmitGradientStore(kernel, gradient, y, inputActivation, index, dX);
        return kernel.Build(ElementwiseKernels.Launch(name, size));
    }
}
