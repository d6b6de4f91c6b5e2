using System.Linq;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>The compile-time geometry of one Conv2D layer (per sample, NCHW).</summary>
internal sealed record ConvShape(int InChannels, int InHeight, int InWidth, int OutChannels, int OutHeight, int OutWidth, int Kernel, int Stride, int Padding)
{
    /// <summary>Rows of the column matrix: one per weight of an output channel, <c>(c, ky, kx)</c>.</summary>
    public int Rows => InChannels * Kernel * Kernel;

    /// <summary>Columns of the column matrix: one per output position, <c>(oy, ox)</c>.</summary>
    public int Positions => OutHeight * OutWidth;

    /// <summary>Multiply-adds of the forward product per sample: <c>OutChannels x Rows x Positions</c>.</summary>
    public long MacsPerSample => (long)OutChannels * Rows * Positions;

    /// <summary>A 1x1 kernel at stride 1 without padding: the input already is the column matrix, so there is no im2col.</summary>
    public bool IsPointwise => Kernel == 1 && Stride == 1 && Padding == 0;
}

/// <summary>
/// Conv2D as im2col plus the register-tiled products of <see cref="DenseKernels"/>, per sample, forward next to backward:
/// forward <c>Y = f(W · cols + b)</c> ([outC, rows] x [rows, positions], broadcast-FMA tiles along the positions, so the
/// result is stored in NCHW order directly); weight gradient <c>dW = Σ_n dY · colsᵀ</c> (dot-product tiles along the
/// positions); input gradient <c>dCols = Wᵀ · dY</c> (broadcast-FMA tiles), then col2im and the previous activation's
/// derivative while the sample is in cache.
/// </summary>
internal static class ConvKernels
{
    /// <param name="keepColumns">The weight gradient reads every sample's columns later; otherwise (inference) each sample's
    /// columns reuse the first sample's block, which stays in cache.</param>
    public static void Forward(CodeWriter w, TargetProfile profile, string name, string[] header, ConvShape c, bool bias, ActivationKind act, bool keepColumns)
    {
        if (!c.IsPointwise)
        {
            Im2Col(w, name + "Im2Col", c);
            w.Line();
        }
        string parameters = "int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> cols";
        Tiered.Emit(w, profile, name, parameters, "batch, x, weight, bias, y, cols", c.Positions, header, (w, s) =>
        {
            Constants(w, c, colsSize: !c.IsPointwise && keepColumns);
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);           // [batch, InC, InH, InW]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [OutC, Rows]");
            if (bias) w.Line("ref float biasRef = ref MemoryMarshal.GetReference(bias);     // [OutC]");
            w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);           // [batch, OutC, Positions]");
            if (!c.IsPointwise) w.Line("ref float colsRef = ref MemoryMarshal.GetReference(cols);     // [batch, Rows, Positions]");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line("ref float yN = ref Unsafe.Add(ref yRef, n * OutSize);");
                if (c.IsPointwise)
                    w.Line("ref float colsN = ref Unsafe.Add(ref xRef, n * InSize); // a 1x1 convolution's columns are its input");
                else
                {
                    w.Line(keepColumns
                        ? "ref float colsN = ref Unsafe.Add(ref colsRef, n * ColsSize);"
                        : "ref float colsN = ref colsRef; // no backward reads the columns: one block, reused by every sample");
                    w.Line($"{name}Im2Col(ref Unsafe.Add(ref xRef, n * InSize), ref colsN);");
                }
                var product = new BroadcastProduct(
                    "for (int k = 0; k < Rows; k++)",
                    "ref float colRow = ref Unsafe.Add(ref colsN, k * Positions);", "colRow", "cv",
                    r => $"Unsafe.Add(ref weightRef, (oc + {r}) * Rows + k)",
                    (w, s, r, column, acc) => StoreForward(w, s, r, column, acc, bias, act));
                Rows(w, s, profile, "oc", "OutC", c.OutChannels, c.Positions, product);
            }
        });
    }

    private static void StoreForward(CodeWriter w, Simd s, int r, string column, string acc, bool bias, ActivationKind act)
    {
        string at = $"(oc + {r}) * Positions + {column}";
        string value = bias ? $"{acc} + {s.Broadcast($"Unsafe.Add(ref biasRef, oc + {r})")}" : acc;
        if (s.Tier.IsScalar)
        {
            w.Line($"Unsafe.Add(ref yN, {at}) = {ActivationTable.Forward(act, $"({value})")};");
            return;
        }
        switch (act)
        {
            case ActivationKind.Identity:
                w.Line(s.Store(value, "yN", at));
                break;
            case ActivationKind.ReLU:
                w.Line(s.Store($"{s.Tier.Name}.Max({value}, {s.Zero})", "yN", at));
                break;
            default:
                // The saturating activations have no vector form here: store, then map the lanes in place.
                w.Line(s.Store(value, "yN", at));
                using (w.Block($"for (int j = 0; j < {s.W}; j++)"))
                {
                    w.Line($"ref float e = ref Unsafe.Add(ref yN, {at} + j);");
                    w.Line($"e = {ActivationTable.Forward(act, "e")};");
                }
                break;
        }
    }

    /// <summary><c>dW[oc, k] = Σ_n Σ_p dY[n, oc, p] · cols[n, k, p]</c> and <c>db[oc] = Σ_n Σ_p dY[n, oc, p]</c>.</summary>
    public static void BackwardParams(CodeWriter w, TargetProfile profile, string name, string[] header, ConvShape c, bool bias)
    {
        string parameters = "int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> cols, Span<float> dWeight, Span<float> dBias";
        Tiered.Emit(w, profile, name, parameters, "batch, dY, cols, dWeight, dBias", c.Positions, header, (w, s) =>
        {
            Constants(w, c, inSize: false);
            w.Line("ref float dYRef = ref MemoryMarshal.GetReference(dY);           // [batch, OutC, Positions]");
            w.Line("ref float colsRef = ref MemoryMarshal.GetReference(cols);       // [batch, Rows, Positions]");
            w.Line("ref float dWeightRef = ref MemoryMarshal.GetReference(dWeight); // [OutC, Rows]");
            // Each tile of dW sums over a block of samples and all positions in vector accumulators and reduces them once:
            // per sample, a tile would have only Positions / W FMAs per horizontal sum (4 for an 8 x 8 output).
            var tiles = s.Tier.Dense;
            int mr = tiles.ForwardRows, nr = tiles.ForwardColumns;
            void Columns(int rows)
            {
                w.Line("int k = 0;");
                if (c.Rows >= nr)
                    using (w.Block($"for (; k <= Rows - {Int(nr)}; k += {Int(nr)})")) WeightGradientTile(w, s, c, rows, nr);
                int restK = c.Rows % nr;
                if (restK != 0)
                    using (w.Block($"// the last {Int(restK)} weight column{(restK == 1 ? "" : "s")}")) WeightGradientTile(w, s, c, rows, restK);
            }
            // Samples go in blocks whose columns and gradients stay in L2 while every tile reads them; each block adds its
            // reduced tile into dW.
            int bytesPerSample = 4 * (c.Rows * c.Positions + c.OutChannels * c.Positions);
            int block = System.Math.Max(1, profile.ConvSampleBlockBytes / bytesPerSample);
            w.Line($"const int SampleBlock = {Int(block)}; // {Int(bytesPerSample)} bytes of columns and gradients per sample");
            w.Line("dWeight.Clear();");
            using (w.Block("for (int n0 = 0; n0 < batch; n0 += SampleBlock)"))
            {
                w.Line("int nEnd = Math.Min(batch, n0 + SampleBlock);");
                w.Line("int oc = 0;");
                if (c.OutChannels >= mr)
                    using (w.Block($"for (; oc <= OutC - {Int(mr)}; oc += {Int(mr)})")) Columns(mr);
                int restOc = c.OutChannels % mr;
                if (restOc != 0)
                    using (w.Block($"// the last {Int(restOc)} output channel{(restOc == 1 ? "" : "s")}")) Columns(restOc);
            }
            if (!bias) return;
            w.Line("Span<float> dB = dBias.Slice(0, OutC);");
            using (w.Block("for (int ob = 0; ob < OutC; ob++)"))
            {
                bool vector = !s.Tier.IsScalar && c.Positions >= s.W;
                if (vector) w.Line($"{s.Type} acc = {s.Zero};");
                w.Line("float sum = 0f;");
                using (w.Block("for (int n = 0; n < batch; n++)"))
                {
                    w.Line("ref float row = ref Unsafe.Add(ref dYRef, n * OutSize + ob * Positions);");
                    w.Line("int i = 0;");
                    if (vector) w.Line($"for (; i <= Positions - {s.W}; i += {s.W}) acc += {s.Load("row", "i")};");
                    if (!vector || c.Positions % s.W != 0) w.Line("for (; i < Positions; i++) sum += Unsafe.Add(ref row, i);");
                }
                w.Line(vector ? $"dB[ob] = {s.Sum("acc")} + sum;" : "dB[ob] = sum;");
            }
        });
    }

    /// <summary><c>dX = col2im(Wᵀ · dY) ⊙ f'(yPrev)</c>, with <c>dCols</c> as the per-sample scratch of the product.</summary>
    public static void BackwardInput(CodeWriter w, TargetProfile profile, string name, string[] header, ConvShape c, ActivationKind inputActivation)
    {
        if (!c.IsPointwise)
        {
            Col2Im(w, name + "Col2Im", c);
            w.Line();
        }
        string parameters = "int batch, ReadOnlySpan<float> dY, ReadOnlySpan<float> weight, ReadOnlySpan<float> x, Span<float> dX, Span<float> dCols";
        Tiered.Emit(w, profile, name, parameters, "batch, dY, weight, x, dX, dCols", c.Positions, header, (w, s) =>
        {
            Constants(w, c, colsSize: false);
            w.Line("ref float dYRef = ref MemoryMarshal.GetReference(dY);         // [batch, OutC, Positions]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [OutC, Rows]");
            w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX);         // [batch, InC, InH, InW]");
            if (!c.IsPointwise) w.Line("ref float dColsRef = ref MemoryMarshal.GetReference(dCols);   // [batch, Rows, Positions]");
            if (inputActivation != ActivationKind.Identity)
                w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);           // [batch, InC, InH, InW], the previous layer's output");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line("ref float dYN = ref Unsafe.Add(ref dYRef, n * OutSize);");
                w.Line(c.IsPointwise
                    ? "ref float dColsN = ref Unsafe.Add(ref dXRef, n * InSize); // a 1x1 convolution's column gradient is its input gradient"
                    : "ref float dColsN = ref dColsRef; // col2im consumes it before the next sample: one block, reused, stays in cache");
                var product = new BroadcastProduct(
                    "for (int oc = 0; oc < OutC; oc++)",
                    "ref float dYRow = ref Unsafe.Add(ref dYN, oc * Positions);", "dYRow", "gv",
                    r => $"Unsafe.Add(ref weightRef, oc * Rows + k + {r})",
                    (w, s, r, column, acc) => w.Line(s.Store(acc, "dColsN", $"(k + {r}) * Positions + {column}")));
                Rows(w, s, profile, "k", "Rows", c.Rows, c.Positions, product);
                if (!c.IsPointwise) w.Line($"{name}Col2Im(ref dColsN, ref Unsafe.Add(ref dXRef, n * InSize));");
                if (inputActivation != ActivationKind.Identity)
                    Derivative(w, s, inputActivation, c.InChannels * c.InHeight * c.InWidth, "InSize", "dXRef", "xRef", "n * InSize");
            }
        });
    }

    /// <summary>Walks the tile rows (<paramref name="index"/> up to <paramref name="bound"/>) in register tiles, then singly.</summary>
    private static void Rows(CodeWriter w, Simd s, TargetProfile profile, string index, string bound, int count, int positions, BroadcastProduct product)
    {
        // The tier's broadcast tile (as in the dense input gradient): rows of the left matrix x vectors of positions.
        var tiles = s.Tier.Dense;
        int mr = tiles.InputGradRows;
        void Tiles(int rows) =>
            DenseKernels.InputTiles(w, s, positions, tiles.InputGradVectors, (w, t, nv) => DenseKernels.BroadcastTile(w, t, rows, nv, product), "Positions");
        w.Line($"int {index} = 0;");
        if (count >= mr)
            using (w.Block($"for (; {index} <= {bound} - {Int(mr)}; {index} += {Int(mr)})")) Tiles(mr);
        int rest = count % mr;
        if (rest != 0)
            using (w.Block($"// the last {Int(rest)}")) Tiles(rest);
    }

    /// <summary>
    /// <c>dW[oc + r, k + c] = Σ_n Σ_p dY[n, oc + r, p] · cols[n, k + c, p]</c> for a tile of <paramref name="rows"/> output
    /// channels x <paramref name="cols"/> weight columns over the samples <c>n0 .. nEnd</c>: vector accumulators, one reduction.
    /// </summary>
    private static void WeightGradientTile(CodeWriter w, Simd s, ConvShape c, int rows, int cols)
    {
        var rs = Tiered.Range(rows).ToArray();
        var cs = Tiered.Range(cols).ToArray();
        bool vector = c.Positions >= s.W;
        bool tail = c.Positions % s.W != 0;
        if (vector) foreach (int r in rs) foreach (int k in cs) w.Line($"{s.Type} acc{r}{k} = {s.Zero};");
        if (tail) foreach (int r in rs) foreach (int k in cs) w.Line($"float sum{r}{k} = 0f;");
        using (w.Block("for (int n = n0; n < nEnd; n++)"))
        {
            foreach (int r in rs) w.Line($"ref float g{r} = ref Unsafe.Add(ref dYRef, n * OutSize + (oc + {r}) * Positions);");
            foreach (int k in cs) w.Line($"ref float col{k} = ref Unsafe.Add(ref colsRef, n * ColsSize + (k + {k}) * Positions);");
            w.Line("int p = 0;");
            if (vector)
                using (w.Block($"for (; p <= Positions - {s.W}; p += {s.W})"))
                {
                    foreach (int r in rs) w.Line($"{s.Type} gv{r} = {s.Load($"g{r}", "p")};");
                    foreach (int k in cs)
                    {
                        w.Line($"{s.Type} cv{k} = {s.Load($"col{k}", "p")};");
                        foreach (int r in rs) w.Line($"acc{r}{k} = {s.Fma($"gv{r}", $"cv{k}", $"acc{r}{k}")};");
                    }
                }
            if (tail)
                using (w.Block("for (; p < Positions; p++)"))
                    foreach (int r in rs)
                        foreach (int k in cs)
                            w.Line($"sum{r}{k} += Unsafe.Add(ref g{r}, p) * Unsafe.Add(ref col{k}, p);");
        }
        foreach (int r in rs)
            foreach (int k in cs)
            {
                string total = vector && tail ? $"{s.Sum($"acc{r}{k}")} + sum{r}{k}" : vector ? s.Sum($"acc{r}{k}") : $"sum{r}{k}";
                w.Line($"Unsafe.Add(ref dWeightRef, (oc + {r}) * Rows + k + {k}) += {total};");
            }
    }

    /// <summary>
    /// Applies an activation's derivative in place, <c>d[i] = f'(y[i]) · d[i]</c>, over <paramref name="length"/>
    /// elements starting at <paramref name="start"/> of both references.
    /// </summary>
    private static void Derivative(CodeWriter w, Simd s, ActivationKind act, int length, string lengthName, string dRef, string yRef, string start)
    {
        // The tiles above declared their own loop indices in nested blocks, so this pass indexes with 'at'.
        w.Line($"ref float dd = ref Unsafe.Add(ref {dRef}, {start});");
        w.Line($"ref float yy = ref Unsafe.Add(ref {yRef}, {start});");
        w.Line("int at = 0;");
        if (!s.Tier.IsScalar && length >= s.W)
            using (w.Block($"for (; at <= {lengthName} - {s.W}; at += {s.W})"))
                w.Line(s.Store(ActivationTable.Backward(act, s.Load("dd", "at"), s.Load("yy", "at"), s.Tier), "dd", "at"));
        if (s.Tier.IsScalar || length % s.W != 0)
            using (w.Block($"for (; at < {lengthName}; at++)"))
                w.Line($"Unsafe.Add(ref dd, at) = {ActivationTable.Backward(act, "Unsafe.Add(ref dd, at)", "Unsafe.Add(ref yy, at)", TargetProfile.Scalar)};");
    }

    private static void Constants(CodeWriter w, ConvShape c, bool inSize = true, bool colsSize = true)
    {
        w.Line($"const int OutC = {Int(c.OutChannels)}, Rows = {Int(c.Rows)}, Positions = {Int(c.Positions)};");
        w.Line((inSize ? $"const int InSize = {Int(c.InChannels * c.InHeight * c.InWidth)}, " : "const int ") + "OutSize = OutC * Positions" + (colsSize ? ", ColsSize = Rows * Positions;" : ";"));
    }

    /// <summary>
    /// <c>cols[(c, ky, kx), (oy, ox)] = x[c, oy·s - p + ky, ox·s - p + kx]</c>, 0 in the padding. The valid <c>ox</c> range of
    /// each kernel column is computed once, so the inner loop has no bounds tests (a plain copy at stride 1).
    /// </summary>
    private static void Im2Col(CodeWriter w, string name, ConvShape c) => Columns(w, name, c, "ref float x, ref float cols", toColumns: true);

    /// <summary>The adjoint of im2col: <c>dX</c> is cleared, then every column element is added back to the input cell it came from.</summary>
    private static void Col2Im(CodeWriter w, string name, ConvShape c) => Columns(w, name, c, "ref float dCols, ref float dX", toColumns: false);

    private static void Columns(CodeWriter w, string name, ConvShape c, string parameters, bool toColumns)
    {
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        using (w.Block($"private static void {name}({parameters})"))
        {
            w.Line($"const int InC = {Int(c.InChannels)}, InH = {Int(c.InHeight)}, InW = {Int(c.InWidth)};");
            w.Line($"const int OutH = {Int(c.OutHeight)}, OutW = {Int(c.OutWidth)}, K = {Int(c.Kernel)}, Stride = {Int(c.Stride)}, Pad = {Int(c.Padding)};");
            w.Line("const int Positions = OutH * OutW;");
            if (!toColumns) w.Line("MemoryMarshal.CreateSpan(ref dX, InC * InH * InW).Clear();");
            // Each kernel column kx gets its own block: the range of ox whose input column ix = ox·Stride - Pad + kx lies in
            // [0, InW) is a compile-time constant there, so rows are copied (added, backward) as fixed-size blocks that the JIT
            // turns into a few vector moves, without a call or a bounds test per row.
            for (int kx = 0; kx < c.Kernel; kx++)
            {
                int start = System.Math.Max(0, (c.Padding - kx + c.Stride - 1) / c.Stride);
                int last = c.InWidth - 1 + c.Padding - kx;
                int end = last < 0 ? 0 : System.Math.Min(c.OutWidth, last / c.Stride + 1);
                if (start > end) start = end;
                using (w.Block($"// kx = {Int(kx)}: ox in [{Int(start)}, {Int(end)}) reads the input"))
                using (w.Block("for (int ch = 0; ch < InC; ch++)"))
                using (w.Block("for (int ky = 0; ky < K; ky++)"))
                {
                    w.Line($"ref float row = ref Unsafe.Add(ref {(toColumns ? "cols" : "dCols")}, ((ch * K + ky) * K + {Int(kx)}) * Positions);");
                    using (w.Block("for (int oy = 0; oy < OutH; oy++)"))
                    {
                        w.Line("int iy = oy * Stride - Pad + ky;");
                        w.Line("ref float line = ref Unsafe.Add(ref row, oy * OutW);");
                        if (toColumns) ToColumnsRow(w, c, kx, start, end);
                        else FromColumnsRow(w, c, kx, start, end);
                    }
                }
            }
        }
    }

    private static void ToColumnsRow(CodeWriter w, ConvShape c, int kx, int start, int end)
    {
        bool paddedRows = c.Padding > 0;
        if (paddedRows)
            using (w.Block("if ((uint)iy >= InH)"))
            {
                w.Line(Fill("line", 0, c.OutWidth));
                w.Line("continue;");
            }
        w.Line($"ref float from = ref Unsafe.Add(ref x, (ch * InH + iy) * InW - Pad + {Int(kx)});");
        if (start > 0) w.Line(Fill("line", 0, start));
        if (end > start)
        {
            if (c.Stride == 1)
                w.Line($"Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref line, {Int(start)})), ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, {Int(start)})), {Int(4 * (end - start))});");
            else
                w.Line($"for (int ox = {Int(start)}; ox < {Int(end)}; ox++) Unsafe.Add(ref line, ox) = Unsafe.Add(ref from, ox * Stride);");
        }
        if (end < c.OutWidth) w.Line(Fill("line", end, c.OutWidth - end));
    }

    private static void FromColumnsRow(CodeWriter w, ConvShape c, int kx, int start, int end)
    {
        if (c.Padding > 0) w.Line("if ((uint)iy >= InH) continue;");
        if (end <= start) return;
        w.Line($"ref float to = ref Unsafe.Add(ref dX, (ch * InH + iy) * InW - Pad + {Int(kx)});");
        if (c.Stride != 1)
        {
            w.Line($"for (int ox = {Int(start)}; ox < {Int(end)}; ox++) Unsafe.Add(ref to, ox * Stride) += Unsafe.Add(ref line, ox);");
            return;
        }
        // Contiguous at stride 1: Vector128 is accelerated wherever any tier is (the JIT drops the branch on the scalar
        // tier); short rows are unrolled.
        int vectors = (end - start) / 4;
        int ox = start;
        if (vectors > 0)
        {
            using (w.Block("if (Vector128.IsHardwareAccelerated)"))
            {
                if (vectors <= 8)
                    for (int v = 0; v < vectors; v++)
                        w.Line($"(Vector128.LoadUnsafe(ref to, {Int(start + 4 * v)}) + Vector128.LoadUnsafe(ref line, {Int(start + 4 * v)})).StoreUnsafe(ref to, {Int(start + 4 * v)});");
                else
                    using (w.Block($"for (nuint ox = {Int(start)}; ox < {Int(start + 4 * vectors)}; ox += 4)"))
                        w.Line("(Vector128.LoadUnsafe(ref to, ox) + Vector128.LoadUnsafe(ref line, ox)).StoreUnsafe(ref to, ox);");
            }
            using (w.Block("else"))
                w.Line($"for (int ox = {Int(start)}; ox < {Int(start + 4 * vectors)}; ox++) Unsafe.Add(ref to, ox) += Unsafe.Add(ref line, ox);");
            ox = start + 4 * vectors;
        }
        for (; ox < end; ox++) w.Line($"Unsafe.Add(ref to, {Int(ox)}) += Unsafe.Add(ref line, {Int(ox)});");
    }

    /// <summary>Zeroes <paramref name="count"/> floats from <paramref name="at"/>: a fixed-size block the JIT unrolls.</summary>
    private static string Fill(string reference, int at, int count) =>
        $"Unsafe.InitBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref {reference}, {Int(at)})), 0, {Int(4 * count)});";
}
