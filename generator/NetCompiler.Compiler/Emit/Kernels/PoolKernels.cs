using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>The compile-time geometry of one pooling layer (per sample, NCHW, no padding).</summary>
internal sealed record PoolShape(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth, int Kernel, int Stride);

/// <summary>
/// Max and average pooling, forward next to backward, over each (sample, channel) plane. The windows are small and
/// strided, so the kernels are scalar with compile-time bounds; windows of up to 16 elements are unrolled.
/// Max pooling's backward finds each window's first maximum again (a NaN wins, as in PyTorch) instead of storing indices.
/// </summary>
internal static class PoolKernels
{
    private const int UnrollLimit = 16;

    public static void MaxForward(CodeWriter w, string name, string[] header, PoolShape p)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> x, Span<float> y)"))
        {
            Constants(w, p);
            PlaneLoops(w, "x", "y", () =>
            {
                w.Line("float best = win;");
                // MathF.Max propagates a NaN, as PyTorch does, without a branch: ReLU outputs tie at zero so often that
                // compare-and-branch code mispredicts.
                ForWindow(w, p, offset => w.Line($"best = MathF.Max(best, Unsafe.Add(ref win, {offset}));"), skipFirst: true);
                w.Line("Unsafe.Add(ref yP, oy * OutW + ox) = best;");
            });
        }
    }

    public static void MaxBackward(CodeWriter w, string name, string[] header, PoolShape p, ActivationKind inputActivation)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dX)"))
        {
            Constants(w, p);
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);   // [batch, C, InH, InW]");
            w.Line("ref float dYRef = ref MemoryMarshal.GetReference(dY); // [batch, C, OutH, OutW]");
            w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX); // [batch, C, InH, InW]");
            // Windows that do not overlap route each input at most one gradient: it is written with the activation's
            // derivative applied, and no second pass over dX is needed.
            bool disjoint = p.Stride >= p.Kernel;
            if (disjoint && inputActivation != ActivationKind.Identity)
                w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);   // [batch, C, InH, InW], the previous layer's output");
            // Windows that tile the input exactly write every element of dX (zeros beside each maximum): no clearing pass.
            bool tiling = p.Stride == p.Kernel && p.InHeight == p.OutHeight * p.Stride && p.InWidth == p.OutWidth * p.Stride;
            if (!tiling) w.Line("dX.Slice(0, batch * C * InH * InW).Clear();");
            using (w.Block("for (int plane = 0; plane < batch * C; plane++)"))
            {
                w.Line("ref float xP = ref Unsafe.Add(ref xRef, plane * InH * InW);");
                if (disjoint && inputActivation != ActivationKind.Identity)
                    w.Line("ref float yP = ref Unsafe.Add(ref yRef, plane * InH * InW);");
                w.Line("ref float dXP = ref Unsafe.Add(ref dXRef, plane * InH * InW);");
                w.Line("ref float dYP = ref Unsafe.Add(ref dYRef, plane * OutH * OutW);");
                using (w.Block("for (int oy = 0; oy < OutH; oy++)"))
                using (w.Block("for (int ox = 0; ox < OutW; ox++)"))
                {
                    w.Line("int origin = oy * Stride * InW + ox * Stride;");
                    w.Line("int best = origin;");
                    w.Line("float bestValue = Unsafe.Add(ref xP, origin);");
                    // Strictly greater keeps the first of equal maxima; a NaN is taken only over a number. The index is selected
                    // without a branch (non-short-circuit | and &), and MathF.Max gives the same running maximum for the comparisons.
                    ForWindow(w, p, offset => w.Line($"{{ float v = Unsafe.Add(ref xP, origin + {offset}); bool take = (v > bestValue) | (float.IsNaN(v) & !float.IsNaN(bestValue)); best = take ? origin + {offset} : best; bestValue = MathF.Max(bestValue, v); }}"), skipFirst: true);
                    if (tiling) ForWindow(w, p, offset => w.Line($"Unsafe.Add(ref dXP, origin + {offset}) = 0f;"));
                    if (disjoint)
                        w.Line($"Unsafe.Add(ref dXP, best) = {ActivationTable.Backward(inputActivation, "Unsafe.Add(ref dYP, oy * OutW + ox)", "Unsafe.Add(ref yP, best)", TargetProfile.Scalar)};");
                    else
                        w.Line("Unsafe.Add(ref dXP, best) += Unsafe.Add(ref dYP, oy * OutW + ox);");
                }
            }
            if (!disjoint) Derivative(w, p, inputActivation);
        }
    }

    public static void AvgForward(CodeWriter w, string name, string[] header, PoolShape p)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> x, Span<float> y)"))
        {
            Constants(w, p);
            w.Line($"const float Scale = {Float(1f / (p.Kernel * p.Kernel))};");
            PlaneLoops(w, "x", "y", () =>
            {
                w.Line("float sum = 0f;");
                ForWindow(w, p, offset => w.Line($"sum += Unsafe.Add(ref win, {offset});"));
                w.Line("Unsafe.Add(ref yP, oy * OutW + ox) = sum * Scale;");
            });
        }
    }

    public static void AvgBackward(CodeWriter w, string name, string[] header, PoolShape p, ActivationKind inputActivation)
    {
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> y, Span<float> dX)"))
        {
            Constants(w, p);
            w.Line($"const float Scale = {Float(1f / (p.Kernel * p.Kernel))};");
            w.Line("ref float dYRef = ref MemoryMarshal.GetReference(dY); // [batch, C, OutH, OutW]");
            w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX); // [batch, C, InH, InW]");
            w.Line("dX.Slice(0, batch * C * InH * InW).Clear();");
            using (w.Block("for (int plane = 0; plane < batch * C; plane++)"))
            {
                w.Line("ref float dXP = ref Unsafe.Add(ref dXRef, plane * InH * InW);");
                w.Line("ref float dYP = ref Unsafe.Add(ref dYRef, plane * OutH * OutW);");
                using (w.Block("for (int oy = 0; oy < OutH; oy++)"))
                using (w.Block("for (int ox = 0; ox < OutW; ox++)"))
                {
                    w.Line("float g = Unsafe.Add(ref dYP, oy * OutW + ox) * Scale;");
                    w.Line("ref float win = ref Unsafe.Add(ref dXP, oy * Stride * InW + ox * Stride);");
                    ForWindow(w, p, offset => w.Line($"Unsafe.Add(ref win, {offset}) += g;"));
                }
            }
            Derivative(w, p, inputActivation);
        }
    }

    private static void Constants(CodeWriter w, PoolShape p)
    {
        w.Line($"const int C = {Int(p.Channels)}, InH = {Int(p.InHeight)}, InW = {Int(p.InWidth)}, OutH = {Int(p.OutHeight)}, OutW = {Int(p.OutWidth)};");
        w.Line(p.Kernel * p.Kernel <= UnrollLimit ? $"const int Stride = {Int(p.Stride)};" : $"const int K = {Int(p.Kernel)}, Stride = {Int(p.Stride)};");
    }

    /// <summary>Loops over planes and output positions with <c>win</c> referring to the window's first input element.</summary>
    private static void PlaneLoops(CodeWriter w, string x, string y, System.Action body)
    {
        w.Line($"ref float xRef = ref MemoryMarshal.GetReference({x}); // [batch, C, InH, InW]");
        w.Line($"ref float yRef = ref MemoryMarshal.GetReference({y}); // [batch, C, OutH, OutW]");
        using (w.Block("for (int plane = 0; plane < batch * C; plane++)"))
        {
            w.Line("ref float xP = ref Unsafe.Add(ref xRef, plane * InH * InW);");
            w.Line("ref float yP = ref Unsafe.Add(ref yRef, plane * OutH * OutW);");
            using (w.Block("for (int oy = 0; oy < OutH; oy++)"))
            using (w.Block("for (int ox = 0; ox < OutW; ox++)"))
            {
                w.Line("ref float win = ref Unsafe.Add(ref xP, oy * Stride * InW + ox * Stride);");
                body();
            }
        }
    }

    /// <summary>
    /// Emits <paramref name="element"/> for each window offset in row-major order: unrolled for small windows, else as loops.
    /// <paramref name="skipFirst"/> leaves out offset 0 where the caller starts from it (unrolled windows only; a loop revisits it harmlessly).
    /// </summary>
    private static void ForWindow(CodeWriter w, PoolShape p, System.Action<string> element, bool skipFirst = false)
    {
        if (p.Kernel * p.Kernel <= UnrollLimit)
        {
            for (int ky = 0; ky < p.Kernel; ky++)
                for (int kx = 0; kx < p.Kernel; kx++)
                    if (!skipFirst || ky + kx > 0) element(Int(ky * p.InWidth + kx));
            return;
        }
        using (w.Block("for (int ky = 0; ky < K; ky++)"))
        using (w.Block("for (int kx = 0; kx < K; kx++)"))
            element("ky * InW + kx");
    }

    private static void Derivative(CodeWriter w, PoolShape p, ActivationKind act)
    {
        if (act == ActivationKind.Identity) return;
        w.Line("ref float dXAll = ref MemoryMarshal.GetReference(dX);");
        w.Line("ref float yAll = ref MemoryMarshal.GetReference(y);");
        w.Line("int count = batch * C * InH * InW;");
        w.Line($"for (int i = 0; i < count; i++) Unsafe.Add(ref dXAll, i) = {ActivationTable.Backward(act, "Unsafe.Add(ref dXAll, i)", "Unsafe.Add(ref yAll, i)", TargetProfile.Scalar)};");
    }
}
