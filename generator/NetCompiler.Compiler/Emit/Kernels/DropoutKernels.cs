using System;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>
/// Inverted dropout, forward next to backward. The mask comes from a counter-based generator: element <c>i</c> of a
/// batch draws <c>Mix(key + (i + 1)·γ)</c>, where the key mixes the seed, the layer and the optimizer step, so a step's
/// mask is reproducible without generator state and a sample's mask does not depend on the batch it is in.
/// An element is kept when its top 32 bits are at least <c>rate·2³²</c>.
/// </summary>
internal static class DropoutKernels
{
    /// <summary>The class-level helpers, emitted once when the network has dropout.</summary>
    public static void Helpers(CodeWriter w, bool hasStep)
    {
        w.Line("// The key of one dropout layer at one optimizer step: seed, layer and step mixed by SplitMix64's finalizer.");
        using (w.Block("private ulong DropoutKey(int layer)"))
        {
            w.Line("ulong key = DropoutMix((((ulong)(uint)_dropoutSeed << 32) | (uint)layer) + 0x9E3779B97F4A7C15UL);");
            w.Line(hasStep ? "return DropoutMix(key + (ulong)_step * 0x9E3779B97F4A7C15UL);" : "return key;");
        }
        w.Line();
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        using (w.Block("private static ulong DropoutMix(ulong z)"))
        {
            w.Line("z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;");
            w.Line("z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;");
            w.Line("return z ^ (z >> 31);");
        }
        w.Line();
    }

    public static void Forward(CodeWriter w, string name, string[] header, int size, float rate)
    {
        // rate < 1, so the threshold fits 32 bits; rounding down keeps the drop probability at most the rate.
        uint threshold = (uint)Math.Floor(rate * 4294967296.0);
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> x, Span<float> y, Span<float> mask, bool training, ulong key)"))
        {
            w.Line($"const int Size = {Int(size)};");
            w.Line("int count = batch * Size;");
            using (w.Block("if (!training)"))
            {
                w.Line("x.Slice(0, count).CopyTo(y);");
                w.Line("mask.Slice(0, count).Fill(1f);");
                w.Line("return;");
            }
            w.Line($"const uint Threshold = {threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}u;");
            w.Line($"const float Scale = {Float(1f / (1f - rate))};");
            using (w.Block("for (int i = 0; i < count; i++)"))
            {
                w.Line("uint bits = (uint)(DropoutMix(key + (ulong)(i + 1) * 0x9E3779B97F4A7C15UL) >> 32);");
                w.Line("float m = bits >= Threshold ? Scale : 0f;");
                w.Line("mask[i] = m;");
                w.Line("y[i] = x[i] * m;");
            }
        }
    }

    public static void Backward(CodeWriter w, string name, string[] header, int size, ActivationKind inputActivation)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> mask, ReadOnlySpan<float> y, Span<float> dX)"))
        {
            w.Line($"int count = batch * {Int(size)};");
            string value = ActivationTable.Backward(inputActivation, "dY[i] * mask[i]", "y[i]", TargetProfile.Scalar);
            w.Line($"for (int i = 0; i < count; i++) dX[i] = {value};");
        }
    }
}
