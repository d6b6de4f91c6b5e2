using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>The compile-time geometry of one pooling layer (per sample, NCHW, no padding).</summary>
internal sealed record PoolShape(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth, int Kernel, int Stride);

/// <summary>
/// Max and average pooling, forward next to backward, over each (sample, channel) plane. Max pooling over 2 x 2 windows at
/// stride 2 (the common case) is vectorized along the input rows; other windows are small and strided, so those kernels
/// are scalar with compile-time bounds, and windows of up to 16 elements are unrolled.
/// Max pooling's backward finds each window's first maximum again (a NaN wins, as in PyTorch) instead of storing indices.
/// </summary>
internal static class PoolKernels
{
    private const int UnrollLimit = 16;

    public static void MaxForward(CodeWriter w, TargetProfile profile, string name, string[] header, PoolShape p)
    {
        if (PairWindows(p))
        {
            Tiered.Emit(w, profile, name, "int batch, ReadOnlySpan<float> x, Span<float> y", "batch, x, y", p.InWidth, header, (w, s) =>
            {
                w.Line("ref float xRef = ref MemoryMarshal.GetReference(x); // [batch, C, InH, InW]");
                w.Line("ref float yRef = ref MemoryMarshal.GetReference(y); // [batch, C, OutH, OutW]");
                PairRows(w, s, p, vector: () =>
                {
                    w.Line($"{s.Type} m = {PairMax(s)}; // each window's maximum, in both lanes of its pair");
                    w.Line(s.Half.Store(s.EvenLanes("m"), "yRow", "ix / 2"));
                }, scalar: () =>
                {
                    w.Line("ref float win = ref Unsafe.Add(ref xP, oy * Stride * InW + ox * Stride);");
                    MaxForwardWindow(w, p);
                });
            });
            return;
        }
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}(int batch, ReadOnlySpan<float> x, Span<float> y)"))
        {
            Constants(w, p);
            PlaneLoops(w, "x", "y", () => MaxForwardWindow(w, p));
        }
    }

    /// <summary>One window of the scalar max-pool forward: <c>win</c> refers to its first element, <c>yP</c> to the output plane.</summary>
    private static void MaxForwardWindow(CodeWriter w, PoolShape p)
    {
        w.Line("float best = win;");
        // MathF.Max propagates a NaN, as PyTorch does, without a branch: ReLU outputs tie at zero so often that
        // compare-and-branch code mispredicts.
        ForWindow(w, p, offset => w.Line($"best = MathF.Max(best, Unsafe.Add(ref win, {offset}));"), skipFirst: true);
        w.Line("Unsafe.Add(ref yP, oy * OutW + ox) = best;");
    }

    public static void MaxBackward(CodeWriter w, TargetProfile profile, string name, string[] header, PoolShape p, ActivationKind inputActivation)
    {
        const string parameters = "int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dX";
        if (PairWindows(p))
        {
            // 2 x 2 windows at stride 2 tile the input: a vector of each of the window's two rows holds W / 2 windows, and
            // a swap of neighbouring lanes brings each window's other column alongside. Every element of dX is written once,
            // with the activation's derivative, without branches (ReLU outputs tie at zero too often for compare-and-branch).
            Tiered.Emit(w, profile, name, parameters, "batch, dY, x, y, dX", p.InWidth, header, (w, s) =>
            {
                w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);   // [batch, C, InH, InW]");
                w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);   // [batch, C, InH, InW], the previous layer's output");
                w.Line("ref float dYRef = ref MemoryMarshal.GetReference(dY); // [batch, C, OutH, OutW]");
                w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX); // [batch, C, InH, InW]");
                PairRows(w, s, p, vector: () =>
                {
                    string name = s.Tier.Name;
                    w.Line($"{s.Type} m = {PairMax(s)};");
                    // The first maximum of each window in row-major order (a NaN counts as the maximum, as in PyTorch):
                    // an odd lane (the window's right column) loses to an equal left column, row b to any equal lane of row a.
                    w.Line($"{s.Type} ea = {name}.Equals(a, m) | ~{name}.Equals(a, a), eb = {name}.Equals(b, m) | ~{name}.Equals(b, b);");
                    w.Line($"{s.Type} sa = {s.SwapPairs("ea")}, sb = {s.SwapPairs("eb")}, odd = {s.OddLanes};");
                    w.Line($"{s.Type} takeA = {name}.AndNot(ea, sa & odd);");
                    w.Line($"{s.Type} takeB = {name}.AndNot(eb, ea | sa | (sb & odd));");
                    w.Line($"{s.Type} g = {s.Upsample("dYRow", "ix / 2")}; // each window's gradient, in both lanes of its pair");
                    w.Line(s.Store($"{name}.ConditionalSelect(takeA, {ActivationTable.Backward(inputActivation, "g", s.Load("yRow0", "ix"), s.Tier)}, {s.Zero})", "dXRow0", "ix"));
                    w.Line(s.Store($"{name}.ConditionalSelect(takeB, {ActivationTable.Backward(inputActivation, "g", s.Load("yRow1", "ix"), s.Tier)}, {s.Zero})", "dXRow1", "ix"));
                }, scalar: () => MaxBackwardWindow(w, p, inputActivation, disjoint: true, tiling: true), backward: true);
            });
            return;
        }
        foreach (var line in header) w.Line("// " + line);
        w.Line(Tiered.Optimized);
        using (w.Block($"private static void {name}({parameters})"))
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
                    MaxBackwardWindow(w, p, inputActivation, disjoint, tiling);
            }
            if (!disjoint) Derivative(w, p, inputActivation);
        }
    }

    /// <summary>One window of the scalar max-pool backward: <c>xP</c>, <c>dXP</c>, <c>dYP</c> (and <c>yP</c>) refer to the plane.</summary>
    private static void MaxBackwardWindow(CodeWriter w, PoolShape p, ActivationKind inputActivation, bool disjoint, bool tiling)
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

    /// <summary>2 x 2 windows at stride 2 that tile the input exactly, the vectorized case.</summary>
    private static bool PairWindows(PoolShape p) =>
        p.Kernel == 2 && p.Stride == 2 && p.InHeight == 2 * p.OutHeight && p.InWidth == 2 * p.OutWidth && p.InWidth >= 4;

    /// <summary>
    /// Loops over planes and window rows of 2 x 2 pooling: on vector tiers, <paramref name="vector"/> sees the window's two
    /// input rows at columns <c>ix .. ix + W</c> as <c>a</c> and <c>b</c>, and the remaining columns go through
    /// <paramref name="scalar"/>, one window (<c>ox</c>) at a time.
    /// </summary>
    private static void PairRows(CodeWriter w, Simd s, PoolShape p, System.Action vector, System.Action scalar, bool backward = false)
    {
        int vectorEnd = s.Tier.IsScalar ? 0 : p.InWidth - p.InWidth % s.W;
        Constants(w, p, stride: vectorEnd < p.InWidth);
        using (w.Block("for (int plane = 0; plane < batch * C; plane++)"))
        {
            w.Line("ref float xP = ref Unsafe.Add(ref xRef, plane * InH * InW);");
            if (backward)
            {
                w.Line("ref float yP = ref Unsafe.Add(ref yRef, plane * InH * InW);");
                w.Line("ref float dXP = ref Unsafe.Add(ref dXRef, plane * InH * InW);");
                w.Line("ref float dYP = ref Unsafe.Add(ref dYRef, plane * OutH * OutW);");
            }
            else w.Line("ref float yP = ref Unsafe.Add(ref yRef, plane * OutH * OutW);");
            using (w.Block("for (int oy = 0; oy < OutH; oy++)"))
            {
                if (vectorEnd > 0)
                {
                    w.Line("ref float row0 = ref Unsafe.Add(ref xP, 2 * oy * InW);");
                    w.Line("ref float row1 = ref Unsafe.Add(ref row0, InW);");
                    if (backward)
                    {
                        w.Line("ref float yRow0 = ref Unsafe.Add(ref yP, 2 * oy * InW);");
                        w.Line("ref float yRow1 = ref Unsafe.Add(ref yRow0, InW);");
                        w.Line("ref float dXRow0 = ref Unsafe.Add(ref dXP, 2 * oy * InW);");
                        w.Line("ref float dXRow1 = ref Unsafe.Add(ref dXRow0, InW);");
                        w.Line("ref float dYRow = ref Unsafe.Add(ref dYP, oy * OutW);");
                    }
                    else w.Line("ref float yRow = ref Unsafe.Add(ref yP, oy * OutW);");
                    using (w.Block($"for (int ix = 0; ix < {Int(vectorEnd)}; ix += {s.W})"))
                    {
                        w.Line($"{s.Type} a = {s.Load("row0", "ix")}, b = {s.Load("row1", "ix")};");
                        vector();
                    }
                }
                if (vectorEnd < p.InWidth)
                    using (w.Block($"for (int ox = {Int(vectorEnd / 2)}; ox < OutW; ox++)")) scalar();
            }
        }
    }

    /// <summary>The maximum of each 2 x 2 window, in both lanes of its pair: rows <c>a</c> and <c>b</c>, neighbouring lanes swapped in.</summary>
    private static string PairMax(Simd s) => s.Max(s.Max("a", s.SwapPairs("a")), s.Max("b", s.SwapPairs("b")));

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

    private static void Constants(CodeWriter w, PoolShape p, bool stride = true)
    {
        w.Line($"const int C = {Int(p.Channels)}, InH = {Int(p.InHeight)}, InW = {Int(p.InWidth)}, OutH = {Int(p.OutHeight)}, OutW = {Int(p.OutWidth)};");
        if (stride) w.Line(p.Kernel * p.Kernel <= UnrollLimit ? $"const int Stride = {Int(p.Stride)};" : $"const int K = {Int(p.Kernel)}, Stride = {Int(p.Stride)};");
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
