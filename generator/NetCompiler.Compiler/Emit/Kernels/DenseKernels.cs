using System;
using System.Linq;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>
/// The three products of a dense layer, forward next to backward, as register-tiled loops over compile-time
/// feature counts (the batch is the only run-time bound):
/// forward <c>y = f(x·Wᵀ + b)</c> (dot-product tiles along <c>in</c>),
/// backward-input <c>dX = (dZ·W) ⊙ f'_prev(y_prev)</c> and backward-weight <c>dW = dZᵀ·x</c>, <c>db = Σ dZ</c>
/// (both broadcast-FMA tiles along <c>in</c>, reading W and x rows contiguously).
/// </summary>
internal static class DenseKernels
{
    public static void Forward(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, bool bias, ActivationKind act)
    {
        string parameters = "int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y";
        Tiered.Emit(w, profile, name, parameters, "batch, x, weight, bias, y", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);       // [batch, In]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [Out, In]");
            if (bias) w.Line("ref float biasRef = ref MemoryMarshal.GetReference(bias);     // [Out]");
            w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);       // [batch, Out]");
            var tiles = s.Tier.Dense;
            BatchTiles(w, tiles.ForwardRows, rows => OutputLoop(w, s, rows, tiles.ForwardColumns, inF, outF, bias, act));
        });
    }

    /// <summary>
    /// Whether a dense layer also gets a forward over packed weight panels: its outputs fill whole panels, it is large
    /// enough for the packing to pay, and its activation has a vector form for the epilogue.
    /// </summary>
    public static bool UsesPackedPanels(TargetProfile profile, int inF, int outF, ActivationKind act) =>
        outF % profile.PanelWidth == 0 && (long)inF * outF >= profile.PackedMinWeights && act is ActivationKind.Identity or ActivationKind.ReLU;

    /// <summary>
    /// Copies a PyTorch-layout weight <c>[Out, In]</c> into panels <c>[Out / Panel, In, Panel]</c>: the <c>Panel</c> weights that
    /// one input feature contributes to a panel's outputs become contiguous vectors. Reads walk a panel's rows at once
    /// (a few KB of cache lines, each reused for 16 inputs) and writes are sequential.
    /// </summary>
    public static void PackPanels(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF)
    {
        foreach (var line in header) w.Line("// " + line);
        using (w.Block($"private static void {name}(ReadOnlySpan<float> weight, Span<float> packed)"))
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)}, Panel = {Int(profile.PanelWidth)};");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [Out, In]");
            w.Line("ref float packedRef = ref MemoryMarshal.GetReference(packed); // [Out / Panel, In, Panel]");
            using (w.Block("for (int panel = 0; panel < Out / Panel; panel++)"))
            {
                w.Line("ref float rows = ref Unsafe.Add(ref weightRef, panel * Panel * In);        // [Panel, In]");
                w.Line("ref float destination = ref Unsafe.Add(ref packedRef, panel * In * Panel); // [In, Panel]");
                // Unrolled over the panel: each read is one load at a constant offset from the column.
                using (w.Block("for (int i = 0; i < In; i++)"))
                {
                    w.Line("ref float column = ref Unsafe.Add(ref rows, i);                // W[panel outputs, i], In apart");
                    w.Line("ref float target = ref Unsafe.Add(ref destination, i * Panel); // [Panel]");
                    for (int j = 0; j < profile.PanelWidth; j++)
                        w.Line(j == 0 ? "target = column;" : $"Unsafe.Add(ref target, {Int(j)}) = Unsafe.Add(ref column, {Int(j)} * In);");
                }
            }
        }
    }

    /// <summary>
    /// <c>y = f(x·Wᵀ + b)</c> over packed panels (see <see cref="PackPanels"/>): broadcast-FMA tiles of samples x vectors of
    /// a panel's outputs, accumulators initialised with the bias, no horizontal sums and a vector epilogue.
    /// </summary>
    public static void ForwardPacked(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, bool bias, ActivationKind act)
    {
        string parameters = "int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y";
        Tiered.Emit(w, profile, name, parameters, "batch, x, packed, bias, y", profile.PanelWidth, header, (w, s) =>
        {
            var tiles = s.Tier.Dense;
            int group = tiles.PackedVectors * s.W;
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)}, Panel = {Int(profile.PanelWidth)};");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);           // [batch, In]");
            w.Line("ref float packedRef = ref MemoryMarshal.GetReference(packed); // [Out / Panel, In, Panel]");
            if (bias) w.Line("ref float biasRef = ref MemoryMarshal.GetReference(bias);     // [Out]");
            w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);           // [batch, Out]");
            w.Line("int pairs = batch & ~1;");
            using (w.Block($"for (int o = 0; o < Out; o += {Int(group)})"))
            {
                w.Line("ref float panelRef = ref Unsafe.Add(ref packedRef, o / Panel * (In * Panel) + o % Panel); // [In, Panel] from column o % Panel");
                w.Line("int n = 0;");
                if (tiles.PackedRows > 2)
                    using (w.Block($"for (; n <= batch - {Int(tiles.PackedRows)}; n += {Int(tiles.PackedRows)})")) PackedTile(w, s, tiles.PackedRows, tiles.PackedVectors, bias, act);
                using (w.Block("for (; n < pairs; n += 2)")) PackedTile(w, s, 2, tiles.PackedVectors, bias, act);
            }
            // A last single sample would have only PackedVectors accumulators per output group, one FMA chain each along In,
            // so it would wait on the FMA latency; it walks several groups at once instead (each output's sum keeps its order).
            int groups = outF / group;
            int together = System.Math.Max(1, System.Math.Min(groups, IndependentChains / tiles.PackedVectors));
            using (w.Block("if (pairs < batch)"))
            {
                w.Line("int n = pairs;");
                w.Line("int o = 0;");
                using (w.Block($"for (; o <= Out - {Int(together * group)}; o += {Int(together * group)})")) PackedSingleRow(w, s, together, group, tiles.PackedVectors, bias, act);
                if (groups % together != 0)
                    using (w.Block($"for (; o < Out; o += {Int(group)})")) PackedSingleRow(w, s, 1, group, tiles.PackedVectors, bias, act);
            }
        });
    }

    /// <summary>Independent accumulators a tile needs to hide the FMA latency (4 cycles at 2 FMAs per cycle).</summary>
    private const int IndependentChains = 8;

    /// <summary>One sample (<c>n</c>) against <paramref name="groups"/> consecutive output groups from <c>o</c>.</summary>
    private static void PackedSingleRow(CodeWriter w, Simd s, int groups, int group, int vectors, bool bias, ActivationKind act)
    {
        var gs = Tiered.Range(groups).ToArray();
        var ks = Tiered.Range(vectors).ToArray();
        w.Line("ref float x0 = ref Unsafe.Add(ref xRef, n * In);");
        foreach (int g in gs)
        {
            string at = g == 0 ? "o" : $"o + {Int(g * group)}";
            w.Line($"ref float panel{g} = ref Unsafe.Add(ref packedRef, ({at}) / Panel * (In * Panel) + ({at}) % Panel);");
            foreach (int k in ks) w.Line($"{s.Type} acc{g}{k} = {(bias ? s.Load("biasRef", $"{at} + {Int(k * s.W)}") : s.Zero)};");
        }
        using (w.Block("for (int i = 0; i < In; i++)"))
        {
            w.Line($"{s.Type} xi = {s.Broadcast("Unsafe.Add(ref x0, i)")};");
            foreach (int g in gs)
                foreach (int k in ks)
                    w.Line($"acc{g}{k} = {s.Fma("xi", s.Load($"panel{g}", $"i * Panel + {Int(k * s.W)}"), $"acc{g}{k}")};");
        }
        foreach (int g in gs)
            foreach (int k in ks)
            {
                string value = act == ActivationKind.ReLU ? s.Max($"acc{g}{k}", s.Zero) : $"acc{g}{k}";
                w.Line(s.Store(value, "yRef", $"n * Out + o + {Int(g * group + k * s.W)}"));
            }
    }

    private static void PackedTile(CodeWriter w, Simd s, int rows, int vectors, bool bias, ActivationKind act)
    {
        var rs = Tiered.Range(rows).ToArray();
        var ks = Tiered.Range(vectors).ToArray();
        foreach (int r in rs) w.Line($"ref float x{r} = ref Unsafe.Add(ref xRef, (n + {r}) * In);");
        foreach (int k in ks) w.Line($"{s.Type} b{k} = {(bias ? s.Load("biasRef", Offset("o", k, s.W)) : s.Zero)};");
        foreach (int r in rs) foreach (int k in ks) w.Line($"{s.Type} acc{r}{k} = b{k};");
        using (w.Block("for (int i = 0; i < In; i++)"))
        {
            w.Line("ref float wRow = ref Unsafe.Add(ref panelRef, i * Panel);");
            foreach (int k in ks) w.Line($"{s.Type} wv{k} = {s.Load("wRow", Int(k * s.W))};");
            foreach (int r in rs)
            {
                w.Line($"{s.Type} x{r}i = {s.Broadcast($"Unsafe.Add(ref x{r}, i)")};");
                foreach (int k in ks) w.Line($"acc{r}{k} = {s.Fma($"x{r}i", $"wv{k}", $"acc{r}{k}")};");
            }
        }
        foreach (int r in rs)
            foreach (int k in ks)
            {
                string value = act == ActivationKind.ReLU ? s.Max($"acc{r}{k}", s.Zero) : $"acc{r}{k}";
                w.Line(s.Store(value, "yRef", $"(n + {r}) * Out + {Offset("o", k, s.W)}"));
            }
    }

    /// <summary>
    /// Walks the samples <c>n</c> (a run-time count) in tiles of <paramref name="rows"/>, then pairs, then singly, so that
    /// a batch that is not a multiple of the tile still runs most of its samples in multi-row tiles.
    /// </summary>
    private static void BatchTiles(CodeWriter w, int rows, Action<int> body)
    {
        w.Line("int n = 0;");
        if (rows > 1)
            using (w.Block($"for (; n <= batch - {Int(rows)}; n += {Int(rows)})")) body(rows);
        if (rows > 2)
            using (w.Block("for (; n <= batch - 2; n += 2)")) body(2);
        using (w.Block("for (; n < batch; n++)")) body(1);
    }

    private static void OutputLoop(CodeWriter w, Simd s, int rows, int nr, int inF, int outF, bool bias, ActivationKind act)
    {
        var product = new DotProduct(inF, "In",
            r => $"Unsafe.Add(ref xRef, (n + {r}) * In)",
            c => $"Unsafe.Add(ref weightRef, (o + {c}) * In)",
            (r, c, sum) => $"Unsafe.Add(ref yRef, (n + {r}) * Out + o + {c}) = {ActivationTable.Forward(act, $"({sum}{(bias ? $" + Unsafe.Add(ref biasRef, o + {c})" : "")})")};");
        w.Line("int o = 0;");
        if (outF >= nr)
            using (w.Block($"for (; o <= Out - {Int(nr)}; o += {Int(nr)})")) DotTile(w, s, rows, nr, product);
        int rest = outF % nr;
        if (rest != 0)
            using (w.Block($"// the last {Int(rest)} output{(rest == 1 ? "" : "s")}")) DotTile(w, s, rows, rest, product);
    }

    /// <summary>
    /// A register tile of <paramref name="rows"/> x <paramref name="cols"/> dot products of contiguous rows, vector
    /// accumulators reduced once at the end, then a scalar tail when the length is not a multiple of the vector width.
    /// </summary>
    public static void DotTile(CodeWriter w, Simd s, int rows, int cols, DotProduct p)
    {
        var rs = Tiered.Range(rows).ToArray();
        var cs = Tiered.Range(cols).ToArray();
        foreach (int r in rs) w.Line($"ref float x{r} = ref {p.RowA(r)};");
        foreach (int c in cs) w.Line($"ref float w{c} = ref {p.RowB(c)};");
        bool vectorLoop = p.Length >= s.W;
        if (vectorLoop)
        {
            foreach (int r in rs) foreach (int c in cs) w.Line($"{s.Type} acc{r}{c} = {s.Zero};");
            w.Line("int i = 0;");
            using (w.Block($"for (; i <= {p.LengthName} - {s.W}; i += {s.W})"))
            {
                foreach (int r in rs) w.Line($"{s.Type} xv{r} = {s.Load("x" + r, "i")};");
                foreach (int c in cs)
                {
                    w.Line($"{s.Type} wv{c} = {s.Load("w" + c, "i")};");
                    foreach (int r in rs) w.Line($"acc{r}{c} = {s.Fma($"xv{r}", $"wv{c}", $"acc{r}{c}")};");
                }
            }
            foreach (int r in rs) foreach (int c in cs) w.Line($"float sum{r}{c} = {s.Sum($"acc{r}{c}")};");
        }
        else
        {
            foreach (int r in rs) foreach (int c in cs) w.Line($"float sum{r}{c} = 0f;");
        }
        if (p.Length % s.W != 0 || !vectorLoop)
        {
            string start = vectorLoop ? "" : "int i = 0";
            using (w.Block($"for ({start}; i < {p.LengthName}; i++)"))
            {
                foreach (int r in rs) w.Line($"float xs{r} = Unsafe.Add(ref x{r}, i);");
                foreach (int c in cs)
                {
                    w.Line($"float ws{c} = Unsafe.Add(ref w{c}, i);");
                    foreach (int r in rs) w.Line($"sum{r}{c} += xs{r} * ws{c};");
                }
            }
        }
        foreach (int c in cs)
            foreach (int r in rs)
                w.Line(p.Store(r, c, $"sum{r}{c}"));
    }

    /// <summary><c>dX[n, i] = f'(yPrev[n, i]) · Σ_o dZ[n, o] · W[o, i]</c>, where <c>yPrev</c> is this layer's input.</summary>
    public static void BackwardInput(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, ActivationKind inputActivation)
    {
        string parameters = "int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> weight, ReadOnlySpan<float> x, Span<float> dX";
        Tiered.Emit(w, profile, name, parameters, "batch, dZ, weight, x, dX", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float dZRef = ref MemoryMarshal.GetReference(dZ);         // [batch, Out]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [Out, In]");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);           // [batch, In], the previous layer's output");
            w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX);         // [batch, In]");
            var tiles = s.Tier.Dense;
            BatchTiles(w, tiles.InputGradRows, rows =>
                InputTiles(w, s, inF, tiles.InputGradVectors, (w, t, nv) => BackwardInputTile(w, t, rows, nv, inputActivation)));
        });
    }

    private static void BackwardInputTile(CodeWriter w, Simd s, int rows, int nv, ActivationKind act) =>
        BroadcastTile(w, s, rows, nv, new BroadcastProduct(
            "for (int o = 0; o < Out; o++)",
            "ref float wRow = ref Unsafe.Add(ref weightRef, o * In);", "wRow", "wv",
            r => $"Unsafe.Add(ref dZRef, (n + {r}) * Out + o)",
            (w, s, r, column, acc) =>
            {
                string at = $"(n + {r}) * In + {column}";
                string value = acc;
                if (act != ActivationKind.Identity)
                {
                    w.Line($"{s.Type} y{acc.Substring(3)} = {s.Load("xRef", at)};");
                    value = ActivationTable.Backward(act, value, $"y{acc.Substring(3)}", s.Tier);
                }
                w.Line(s.Store(value, "dXRef", at));
            }));

    /// <summary>
    /// A register tile of <paramref name="rows"/> x <paramref name="nv"/> vectors of <c>C[r, i..] = Σ_j A[r, j] · B[j, i..]</c>:
    /// each step broadcasts one scalar of A per row and multiplies it into vectors of B's row, read contiguously along <c>i</c>.
    /// </summary>
    public static void BroadcastTile(CodeWriter w, Simd s, int rows, int nv, BroadcastProduct p)
    {
        var rs = Tiered.Range(rows).ToArray();
        var ks = Tiered.Range(nv).ToArray();
        foreach (int r in rs) foreach (int k in ks) w.Line($"{s.Type} acc{r}{k} = {s.Zero};");
        using (w.Block(p.Loop))
        {
            w.Line(p.RowB);
            foreach (int r in rs) w.Line($"{s.Type} d{r} = {s.Broadcast(p.A(r))};");
            foreach (int k in ks)
            {
                w.Line($"{s.Type} {p.VectorB}{k} = {s.Load(p.RowBName, Offset("i", k, s.W))};");
                foreach (int r in rs) w.Line($"acc{r}{k} = {s.Fma($"d{r}", $"{p.VectorB}{k}", $"acc{r}{k}")};");
            }
        }
        foreach (int r in rs)
            foreach (int k in ks)
                p.Store(w, s, r, Offset("i", k, s.W), $"acc{r}{k}");
    }

    /// <summary>
    /// <c>dW[o, i] = Σ_n dZ[n, o] · x[n, i]</c> and <c>db[o] = Σ_n dZ[n, o]</c>. The block of input features is the
    /// outer loop: its columns of every sample are read from L1 by all output tiles instead of streaming x once per tile.
    /// </summary>
    public static void BackwardParams(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, bool bias)
    {
        string parameters = "int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> x, Span<float> dWeight, Span<float> dBias";
        Tiered.Emit(w, profile, name, parameters, "batch, dZ, x, dWeight, dBias", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float dZRef = ref MemoryMarshal.GetReference(dZ);           // [batch, Out]");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);             // [batch, In]");
            w.Line("ref float dWeightRef = ref MemoryMarshal.GetReference(dWeight); // [Out, In]");
            int mr = s.Tier.Dense.WeightGradRows;
            InputTiles(w, s, inF, s.Tier.Dense.WeightGradVectors, (w, t, nv) =>
            {
                w.Line("int o = 0;");
                if (outF >= mr)
                    using (w.Block($"for (; o <= Out - {Int(mr)}; o += {Int(mr)})")) BackwardWeightTile(w, t, mr, nv);
                int rest = outF % mr;
                if (rest != 0)
                    using (w.Block($"// the last {Int(rest)} output{(rest == 1 ? "" : "s")}")) BackwardWeightTile(w, t, rest, nv);
            });
            if (!bias) return;
            w.Line("ref float dBiasRef = ref MemoryMarshal.GetReference(dBias);     // [Out]");
            w.Line("int ob = 0;");
            if (outF >= s.W && !s.Tier.IsScalar)
                using (w.Block($"for (; ob <= Out - {s.W}; ob += {s.W})"))
                {
                    w.Line($"{s.Type} acc = {s.Zero};");
                    w.Line($"for (int n = 0; n < batch; n++) acc += {s.Load("dZRef", "n * Out + ob")};");
                    w.Line(s.Store("acc", "dBiasRef", "ob"));
                }
            if (outF % s.W != 0 || s.Tier.IsScalar)
                using (w.Block("for (; ob < Out; ob++)"))
                {
                    w.Line("float acc = 0f;");
                    w.Line("for (int n = 0; n < batch; n++) acc += Unsafe.Add(ref dZRef, n * Out + ob);");
                    w.Line("Unsafe.Add(ref dBiasRef, ob) = acc;");
                }
        });
    }

    private static void BackwardWeightTile(CodeWriter w, Simd s, int rows, int nv) =>
        BroadcastTile(w, s, rows, nv, new BroadcastProduct(
            "for (int n = 0; n < batch; n++)",
            "ref float xRow = ref Unsafe.Add(ref xRef, n * In);", "xRow", "xv",
            r => $"Unsafe.Add(ref dZRef, n * Out + o + {r})",
            (w, s, r, column, acc) => w.Line(s.Store(acc, "dWeightRef", $"(o + {r}) * In + {column}"))));

    /// <summary>
    /// Walks <c>i</c> over the <paramref name="length"/> input features (a compile-time size) in tiles of
    /// <paramref name="vectors"/> vectors, then one tile of the vectors left, then a scalar tail; each part is emitted
    /// only when the size needs it. The scalar tier walks tiles of <paramref name="vectors"/> floats.
    /// </summary>
    public static void InputTiles(CodeWriter w, Simd s, int length, int vectors, Action<CodeWriter, Simd, int> tile, string lengthName = "In")
    {
        int step = vectors * s.W;
        int restVectors = length % step / s.W;
        bool scalarTail = length % s.W != 0;
        w.Line("int i = 0;");
        if (length >= step)
            using (w.Block($"for (; i <= {lengthName} - {Int(step)}; i += {Int(step)})")) tile(w, s, vectors);
        if (restVectors > 0)
            using (w.Block($"// the last {Int(restVectors)} vector{(restVectors == 1 ? "" : "s")} of {Int(s.W)}"))
            {
                tile(w, s, restVectors);
                if (scalarTail) w.Line($"i += {Int(restVectors * s.W)};");
            }
        if (scalarTail)
            using (w.Block($"for (; i < {lengthName}; i++)")) tile(w, new Simd(TargetProfile.Scalar), 1);
    }

    /// <summary>
    /// Walks <c>i</c> over the input features in tiles of <c>nv</c> vectors, then single vectors, then a scalar tail;
    /// each loop is emitted only when the compile-time size needs it.
    /// </summary>
    public static void AlongInput(CodeWriter w, Simd s, TargetProfile profile, int rows, int inF, System.Action<CodeWriter, Simd, int, int> tile, string length = "In")
    {
        int nv = profile.DenseColumns;
        w.Line("int i = 0;");
        if (s.Tier.IsScalar)
        {
            using (w.Block($"for (; i < {length}; i++)")) tile(w, s, rows, 1);
            return;
        }
        if (inF >= nv * s.W)
            using (w.Block($"for (; i <= {length} - {nv * s.W}; i += {nv * s.W})")) tile(w, s, rows, nv);
        if (inF % (nv * s.W) >= s.W)
            using (w.Block($"for (; i <= {length} - {s.W}; i += {s.W})")) tile(w, s, rows, 1);
        if (inF % s.W != 0)
            using (w.Block($"for (; i < {length}; i++)")) tile(w, new Simd(TargetProfile.Scalar), rows, 1);
    }

    public static string Offset(string i, int k, int width) => k == 0 ? i : $"{i} + {k * width}";
}

/// <summary>
/// A dot-product tile <c>C[r, c] = Σ_i A[r, i] · B[c, i]</c> over rows of compile-time <see cref="Length"/> (named
/// <see cref="LengthName"/> in the kernel). <see cref="RowA"/> and <see cref="RowB"/> give references to the rows of tile row
/// <c>r</c> and column <c>c</c>; <see cref="Store"/> gives the statement that stores the finished float sum of <c>(r, c)</c>.
/// </summary>
internal sealed record DotProduct(int Length, string LengthName, Func<int, string> RowA, Func<int, string> RowB, Func<int, int, string, string> Store);

/// <summary>
/// A broadcast-FMA tile <c>C[r, i..] = Σ_j A[r, j] · B[j, i..]</c>: <see cref="Loop"/> walks <c>j</c>, <see cref="RowB"/>
/// declares the reference <see cref="RowBName"/> to B's row <c>j</c>, <see cref="VectorB"/> names its vectors, <see cref="A"/> is
/// the scalar of A for tile row <c>r</c>, and <see cref="Store"/> writes accumulator <c>acc</c> of row <c>r</c> at column
/// expression <c>i + k·W</c>.
/// </summary>
internal sealed record BroadcastProduct(string Loop, string RowB, string RowBName, string VectorB, Func<int, string> A, Action<CodeWriter, Simd, int, string, string> Store);
