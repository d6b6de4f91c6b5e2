using System;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// Tiled SGEMM kernels for the three products of a dense layer (PyTorch layout: weight [out, in]).
/// Each block computes a 64x64 tile of the output with 256 threads; each thread keeps a 4x4 register block
/// (rows <c>ty + 16 r</c>, columns <c>tx + 16 c</c>, so global stores and shared reads are contiguous across a warp).
/// The K dimension is walked in steps of 16 through two shared-memory tiles. Loads and stores are bounds-checked
/// wherever an extent is not a compile-time multiple of the tile (the batch size never is).
/// </summary>
public static class GemmKernels
{
    /// <summary>Output rows per block.</summary>
    public const int TileM = 64;

    /// <summary>Output columns per block.</summary>
    public const int TileN = 64;

    /// <summary>Reduction depth per shared-memory stage.</summary>
    public const int TileK = 16;

    /// <summary>Threads per block: a 16x16 grid, each owning a 4x4 register block (64 / 16 = 4 per side).</summary>
    public const int Threads = 256;

    private const int ThreadsPerSide = 16;
    private const int RegisterBlock = 4;

    // One float of padding per shared row skews the columns across banks, so the transposed store of a
    // K-contiguous operand (16 consecutive k into one column) is at most 2-way bank-conflicted instead of 16-way.
    private const int SharedStride = TileM + 1;
    private const int SharedTileBytes = TileK * SharedStride * 4;

    /// <summary>Dynamic shared memory of every GEMM kernel: one A tile and one B tile.</summary>
    public const int SharedMemoryBytes = 2 * SharedTileBytes;

    /// <summary>
    /// Forward: <c>y[b, o] = activation(sum_i x[b, i] weight[o, i] + bias[o])</c>.
    /// Parameters: <c>x [batch, in], weight [out, in], bias [out] (when <paramref name="hasBias"/>), batch, y [batch, out]</c>.
    /// </summary>
    public static PtxKernel Forward(string name, int inFeatures, int outFeatures, PtxActivation activation, bool hasBias = true)
    {
        PtxFormat.ValidatePositive(inFeatures, nameof(inFeatures));
        PtxFormat.ValidatePositive(outFeatures, nameof(outFeatures));

        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"dense forward: y[batch, {outFeatures}] = {PtxActivationEmitter.Describe(activation)}(x[batch, {inFeatures}] * weight[{outFeatures}, {inFeatures}]^T{(hasBias ? $" + bias[{outFeatures}]" : "")})");
        kernel.Header($"GEMM M = batch, N = {outFeatures}, K = {inFeatures}; A = x (K-contiguous), B = weight (K-contiguous)");
        kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {inFeatures}]");
        kernel.Parameter("weight", PtxParameterKind.Pointer, $"[{outFeatures}, {inFeatures}]");
        if (hasBias)
        {
            kernel.Parameter("bias", PtxParameterKind.Pointer, $"[{outFeatures}]");
        }

        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("y", PtxParameterKind.Pointer, $"[batch, {outFeatures}]");

        string x = kernel.LoadPointer("x");
        string weight = kernel.LoadPointer("weight");
        string? bias = hasBias ? kernel.LoadPointer("bias") : null;
        string batch = kernel.LoadU32("batch");
        string y = kernel.LoadPointer("y");

        var m = Extent.Batch(batch);
        var n = Extent.Constant(outFeatures);
        var k = Extent.Constant(inFeatures);
        var a = new Operand("a", x, kContiguous: true, stride: inFeatures);
        var b = new Operand("b", weight, kContiguous: true, stride: inFeatures);
        Tile tile = EmitMainLoop(kernel, m, n, k, a, b, perStage: null);

        string value = kernel.F32("value");
        var w = kernel.Body;
        w.Line();
        w.Comment($"Epilogue: add bias, apply {PtxActivationEmitter.Describe(activation)}, store the bounds-checked 4x4 block.");
        for (int c = 0; c < RegisterBlock; c++)
        {
            string? biasRegister = null;
            if (bias is not null)
            {
                biasRegister = kernel.F32(Name("bias_col", c));
                string address = kernel.U64("bias_address");
                w.Line($"mov.f32 {biasRegister}, {PtxActivationEmitter.Zero};");
                kernel.ElementAddress(address, bias, tile.Columns[c]);
                w.Line($"{Guard(tile.ColumnInRange[c])}ld.global.nc.f32 {biasRegister}, [{address}];");
            }

            EmitForEachRow(kernel, tile, outFeatures, y, c, (row, address, guard) =>
            {
                if (biasRegister is not null)
                {
                    w.Line($"add.f32 {value}, {tile.Accumulators[row, c]}, {biasRegister};");
                }
                else
                {
                    w.Line($"mov.f32 {value}, {tile.Accumulators[row, c]};");
                }

                PtxActivationEmitter.Forward(kernel, activation, value, value);
                w.Line($"{guard}st.global.f32 [{address}], {value};");
            });
        }

        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(
            name,
            PtxGridDim.Fixed(outFeatures, TileN),
            PtxGridDim.PerBatch(1, TileM),
            Threads,
            1,
            SharedMemoryBytes));
    }

    /// <summary>
    /// Backward to the input: <c>dX[b, i] = sum_o dZ[b, o] weight[o, i]</c>, multiplied by the derivative of
    /// <paramref name="inputActivation"/> (the activation that produced x) computed from its saved output x.
    /// Parameters: <c>dZ [batch, out], weight [out, in], x [batch, in] (unless identity), batch, dX [batch, in]</c>.
    /// </summary>
    public static PtxKernel BackwardInput(string name, int inFeatures, int outFeatures, PtxActivation inputActivation = PtxActivation.Identity)
    {
        PtxFormat.ValidatePositive(inFeatures, nameof(inFeatures));
        PtxFormat.ValidatePositive(outFeatures, nameof(outFeatures));

        bool fused = inputActivation != PtxActivation.Identity;
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"dense backward (input): dX[batch, {inFeatures}] = dZ[batch, {outFeatures}] * weight[{outFeatures}, {inFeatures}]{(fused ? $" .* {PtxActivationEmitter.Describe(inputActivation)}'(x)" : "")}");
        kernel.Header($"GEMM M = batch, N = {inFeatures}, K = {outFeatures}; A = dZ (K-contiguous), B = weight (N-contiguous)");
        kernel.Parameter("dZ", PtxParameterKind.Pointer, $"[batch, {outFeatures}]");
        kernel.Parameter("weight", PtxParameterKind.Pointer, $"[{outFeatures}, {inFeatures}]");
        if (fused)
        {
            kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {inFeatures}] saved {PtxActivationEmitter.Describe(inputActivation)} output");
        }

        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dX", PtxParameterKind.Pointer, $"[batch, {inFeatures}]");

        string dZ = kernel.LoadPointer("dZ");
        string weight = kernel.LoadPointer("weight");
        string? x = fused ? kernel.LoadPointer("x") : null;
        string batch = kernel.LoadU32("batch");
        string dX = kernel.LoadPointer("dX");

        var a = new Operand("a", dZ, kContiguous: true, stride: outFeatures);
        var b = new Operand("b", weight, kContiguous: false, stride: inFeatures);
        Tile tile = EmitMainLoop(kernel, Extent.Batch(batch), Extent.Constant(inFeatures), Extent.Constant(outFeatures), a, b, perStage: null);

        string value = kernel.F32("value");
        string saved = kernel.F32("saved");
        string savedAddress = kernel.U64("saved_address");
        var w = kernel.Body;
        w.Line();
        w.Comment($"Epilogue: {(fused ? $"multiply by {PtxActivationEmitter.Describe(inputActivation)}'(x) and " : "")}store the bounds-checked 4x4 block.");
        for (int c = 0; c < RegisterBlock; c++)
        {
            EmitForEachRow(kernel, tile, inFeatures, dX, c, (row, address, guard) =>
            {
                if (x is null)
                {
                    w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[row, c]};");
                    return;
                }

                // dX and x share the [batch, in] layout, so x's element lives at the same byte offset.
                w.Line($"sub.u64 {savedAddress}, {address}, {dX};");
                w.Line($"add.u64 {savedAddress}, {savedAddress}, {x};");
                w.Line($"mov.f32 {saved}, {PtxActivationEmitter.Zero};");
                w.Line($"{guard}ld.global.nc.f32 {saved}, [{savedAddress}];");
                PtxActivationEmitter.MultiplyByDerivative(kernel, inputActivation, value, tile.Accumulators[row, c], saved);
                w.Line($"{guard}st.global.f32 [{address}], {value};");
            });
        }

        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(
            name,
            PtxGridDim.Fixed(inFeatures, TileN),
            PtxGridDim.PerBatch(1, TileM),
            Threads,
            1,
            SharedMemoryBytes));
    }

    /// <summary>
    /// Backward to the parameters: <c>dWeight[o, i] = sum_b dZ[b, o] x[b, i]</c> and, when <paramref name="hasBias"/>,
    /// <c>dBias[o] = sum_b dZ[b, o]</c>. Both overwrite their destination. The bias gradient is fused into the
    /// blocks of the first column tile, which already stage dZ^T in shared memory.
    /// Parameters: <c>dZ [batch, out], x [batch, in], batch, dWeight [out, in], dBias [out] (when hasBias)</c>.
    /// </summary>
    public static PtxKernel BackwardWeight(string name, int inFeatures, int outFeatures, bool hasBias = true)
    {
        PtxFormat.ValidatePositive(inFeatures, nameof(inFeatures));
        PtxFormat.ValidatePositive(outFeatures, nameof(outFeatures));

        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"dense backward (weight): dWeight[{outFeatures}, {inFeatures}] = dZ[batch, {outFeatures}]^T * x[batch, {inFeatures}]{(hasBias ? $"; dBias[{outFeatures}] = column sums of dZ" : "")}");
        kernel.Header($"GEMM M = {outFeatures}, N = {inFeatures}, K = batch; A = dZ^T (M-contiguous), B = x (N-contiguous)");
        kernel.Parameter("dZ", PtxParameterKind.Pointer, $"[batch, {outFeatures}]");
        kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {inFeatures}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dWeight", PtxParameterKind.Pointer, $"[{outFeatures}, {inFeatures}]");
        if (hasBias)
        {
            kernel.Parameter("dBias", PtxParameterKind.Pointer, $"[{outFeatures}]");
        }

        string dZ = kernel.LoadPointer("dZ");
        string x = kernel.LoadPointer("x");
        string batch = kernel.LoadU32("batch");
        string dWeight = kernel.LoadPointer("dWeight");
        string? dBias = hasBias ? kernel.LoadPointer("dBias") : null;
        var w = kernel.Body;

        string biasSum = "";
        string ownsBias = "";
        string biasRead = "";
        if (hasBias)
        {
            biasSum = kernel.F32("bias_sum");
            ownsBias = kernel.Pred("owns_bias");
            biasRead = kernel.U32("bias_read");
        }

        Action<Tile>? perStage = null;
        if (hasBias)
        {
            string biasTerm = kernel.F32("bias_term");
            perStage = tile =>
            {
                string skip = "SKIP_BIAS_STAGE";
                w.Comment($"Column-tile-0 blocks: threads 0..63 add this stage's 16 rows of dZ (zero-filled past the batch) to dBias.");
                w.Line($"@!{ownsBias} bra {skip};");
                for (int kk = 0; kk < TileK; kk++)
                {
                    w.Line($"ld.shared.f32 {biasTerm}, [{biasRead}+{kk * SharedStride * 4}];");
                    w.Line($"add.f32 {biasSum}, {biasSum}, {biasTerm};");
                }

                w.Label(skip);
            };
        }

        var a = new Operand("a", dZ, kContiguous: false, stride: outFeatures);
        var b = new Operand("b", x, kContiguous: false, stride: inFeatures);
        Tile tile = EmitMainLoop(kernel, Extent.Constant(outFeatures), Extent.Constant(inFeatures), Extent.Batch(batch), a, b, perStage, tileSetup: t =>
        {
            if (!hasBias)
            {
                return;
            }

            string isFirstColumn = kernel.Pred("first_column_tile");
            string isBiasThread = kernel.Pred("bias_thread");
            w.Line($"mov.f32 {biasSum}, {PtxActivationEmitter.Zero};");
            w.Line($"setp.eq.u32 {isFirstColumn}, {t.ColumnBase}, 0;");
            w.Line($"setp.lt.u32 {isBiasThread}, {t.ThreadId}, {TileM};");
            w.Line($"and.pred {ownsBias}, {isFirstColumn}, {isBiasThread};");
            w.Line($"mad.lo.u32 {biasRead}, {t.ThreadId}, 4, {t.SharedA};");
        });

        w.Line();
        w.Comment($"Epilogue: store the bounds-checked 4x4 block of dWeight.");
        for (int c = 0; c < RegisterBlock; c++)
        {
            EmitForEachRow(kernel, tile, inFeatures, dWeight, c, (row, address, guard) =>
                w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[row, c]};"));
        }

        if (dBias is not null)
        {
            string biasRow = kernel.U32("bias_row");
            string biasInRange = kernel.Pred("bias_in_range");
            string biasAddress = kernel.U64("bias_address");
            w.Line($"add.u32 {biasRow}, {tile.RowBase}, {tile.ThreadId};");
            w.Line($"setp.lt.u32 {biasInRange}, {biasRow}, {outFeatures};");
            w.Line($"and.pred {biasInRange}, {biasInRange}, {ownsBias};");
            kernel.ElementAddress(biasAddress, dBias, biasRow);
            w.Line($"@{biasInRange} st.global.f32 [{biasAddress}], {biasSum};");
        }

        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(
            name,
            PtxGridDim.Fixed(inFeatures, TileN),
            PtxGridDim.Fixed(outFeatures, TileM),
            Threads,
            1,
            SharedMemoryBytes));
    }

    private static string Name(string prefix, int index) => prefix + index.ToString(CultureInfo.InvariantCulture);

    private static string Guard(string? predicate) => predicate is null ? "" : $"@{predicate} ";

    /// <summary>Calls <paramref name="body"/> for the 4 rows of column <paramref name="c"/> with the output address and store guard.</summary>
    private static void EmitForEachRow(PtxKernelBuilder kernel, Tile tile, int rowStride, string output, int c, Action<int, string, string> body)
    {
        var w = kernel.Body;
        string index = kernel.U32("out_index");
        string address = kernel.U64("out_address");
        string inRange = kernel.Pred("out_in_range");
        for (int r = 0; r < RegisterBlock; r++)
        {
            string? rowOk = tile.RowInRange[r];
            string? columnOk = tile.ColumnInRange[c];
            string guard;
            if (rowOk is not null && columnOk is not null)
            {
                w.Line($"and.pred {inRange}, {rowOk}, {columnOk};");
                guard = $"@{inRange} ";
            }
            else
            {
                guard = Guard(rowOk ?? columnOk);
            }

            w.Line($"mad.lo.u32 {index}, {tile.Rows[r]}, {rowStride}, {tile.Columns[c]};");
            kernel.ElementAddress(address, output, index);
            body(r, address, guard);
        }
    }

    /// <summary>
    /// Emits thread indexing, the K loop (global -> shared tiles, 16 unrolled rank-1 updates of the 4x4 register block)
    /// and returns the accumulators with their row/column indices and range predicates.
    /// </summary>
    private static Tile EmitMainLoop(PtxKernelBuilder kernel, Extent m, Extent n, Extent k, Operand a, Operand b, Action<Tile>? perStage, Action<Tile>? tileSetup = null)
    {
        kernel.UseSharedMemory(SharedMemoryBytes);
        var w = kernel.Body;
        string tid = kernel.U32("thread");
        string tx = kernel.U32("tx");
        string ty = kernel.U32("ty");
        string rowBase = kernel.U32("row_base");
        string columnBase = kernel.U32("column_base");
        string sharedA = kernel.U32("shared_a");
        string sharedB = kernel.U32("shared_b");
        w.Line();
        w.Comment($"Thread (ty, tx) of the 16x16 grid owns rows row_base + ty + 16 r and columns column_base + tx + 16 c.");
        w.Line($"mov.u32 {tid}, %tid.x;");
        w.Line($"and.b32 {tx}, {tid}, {ThreadsPerSide - 1};");
        w.Line($"shr.u32 {ty}, {tid}, 4;");
        w.Line($"mov.u32 {columnBase}, %ctaid.x;");
        w.Line($"shl.b32 {columnBase}, {columnBase}, 6;");
        w.Line($"mov.u32 {rowBase}, %ctaid.y;");
        w.Line($"shl.b32 {rowBase}, {rowBase}, 6;");
        w.Line($"mov.u32 {sharedA}, {kernel.SharedSymbol};");
        w.Line($"add.u32 {sharedB}, {sharedA}, {SharedTileBytes};");

        var tile = new Tile(tid, rowBase, columnBase, sharedA);
        tileSetup?.Invoke(tile);

        LoadPlan planA = EmitLoadSetup(kernel, a, m, k, tid, tx, ty, rowBase, sharedA);
        LoadPlan planB = EmitLoadSetup(kernel, b, n, k, tid, tx, ty, columnBase, sharedB);

        string readA = kernel.U32("a_read");
        string readB = kernel.U32("b_read");
        w.Line($"mad.lo.u32 {readA}, {ty}, 4, {sharedA};");
        w.Line($"mad.lo.u32 {readB}, {tx}, 4, {sharedB};");

        for (int r = 0; r < RegisterBlock; r++)
        {
            for (int c = 0; c < RegisterBlock; c++)
            {
                string acc = kernel.F32(FormattableString.Invariant($"acc_{r}_{c}"));
                tile.Accumulators[r, c] = acc;
                w.Line($"mov.f32 {acc}, {PtxActivationEmitter.Zero};");
            }
        }

        string kBase = kernel.U32("k_base");
        string more = kernel.Pred("more_k");
        w.Line($"mov.u32 {kBase}, 0;");
        w.Line();
        w.Label("K_LOOP");
        w.Comment($"Stage a {TileK}-deep slice of A and B into shared memory, zero-filled outside the matrices.");
        EmitLoadStage(kernel, planA, k, kBase);
        EmitLoadStage(kernel, planB, k, kBase);
        w.Line($"bar.sync 0;");

        string[] fragA = new string[RegisterBlock];
        string[] fragB = new string[RegisterBlock];
        for (int i = 0; i < RegisterBlock; i++)
        {
            fragA[i] = kernel.F32(Name("a_frag", i));
            fragB[i] = kernel.F32(Name("b_frag", i));
        }

        for (int kk = 0; kk < TileK; kk++)
        {
            w.Comment($"k = k_base + {kk}");
            for (int r = 0; r < RegisterBlock; r++)
            {
                w.Line($"ld.shared.f32 {fragA[r]}, [{readA}+{(kk * SharedStride + ThreadsPerSide * r) * 4}];");
            }

            for (int c = 0; c < RegisterBlock; c++)
            {
                w.Line($"ld.shared.f32 {fragB[c]}, [{readB}+{(kk * SharedStride + ThreadsPerSide * c) * 4}];");
            }

            for (int r = 0; r < RegisterBlock; r++)
            {
                for (int c = 0; c < RegisterBlock; c++)
                {
                    w.Line($"fma.rn.f32 {tile.Accumulators[r, c]}, {fragA[r]}, {fragB[c]}, {tile.Accumulators[r, c]};");
                }
            }
        }

        perStage?.Invoke(tile);
        w.Line($"bar.sync 0;");
        EmitAdvance(kernel, planA);
        EmitAdvance(kernel, planB);
        w.Line($"add.u32 {kBase}, {kBase}, {TileK};");
        w.Line($"setp.lt.u32 {more}, {kBase}, {k.Operand};");
        w.Line($"@{more} bra K_LOOP;");

        w.Line();
        w.Comment($"Output coordinates of the register block.");
        for (int r = 0; r < RegisterBlock; r++)
        {
            string row = kernel.U32(Name("row", r));
            w.Line($"add.u32 {row}, {rowBase}, {ty};");
            if (r > 0)
            {
                w.Line($"add.u32 {row}, {row}, {ThreadsPerSide * r};");
            }

            tile.Rows[r] = row;
            if (!m.IsMultipleOf(TileM))
            {
                string ok = kernel.Pred(Name("row_ok", r));
                w.Line($"setp.lt.u32 {ok}, {row}, {m.Operand};");
                tile.RowInRange[r] = ok;
            }
        }

        for (int c = 0; c < RegisterBlock; c++)
        {
            string column = kernel.U32(Name("column", c));
            w.Line($"add.u32 {column}, {columnBase}, {tx};");
            if (c > 0)
            {
                w.Line($"add.u32 {column}, {column}, {ThreadsPerSide * c};");
            }

            tile.Columns[c] = column;
            if (!n.IsMultipleOf(TileN))
            {
                string ok = kernel.Pred(Name("column_ok", c));
                w.Line($"setp.lt.u32 {ok}, {column}, {n.Operand};");
                tile.ColumnInRange[c] = ok;
            }
        }

        return tile;
    }

    /// <summary>
    /// Per-thread constants for staging one operand: 4 global addresses (advanced each stage), the outer-index
    /// range predicates, the k offset of each load, and the shared store base.
    /// K-contiguous operands are read as 16 consecutive k by 16 rows (64-byte segments), M/N-contiguous ones as
    /// 64 consecutive rows by 4 k (256-byte segments); both are written to shared memory as [k][outer].
    /// </summary>
    private static LoadPlan EmitLoadSetup(PtxKernelBuilder kernel, Operand operand, Extent outer, Extent k, string tid, string tx, string ty, string outerBase, string sharedBase)
    {
        var w = kernel.Body;
        string p = operand.Prefix;
        var plan = new LoadPlan(operand);
        w.Line();
        w.Comment($"Staging of {operand.Prefix.ToUpperInvariant()}: {(operand.KContiguous ? "thread loads k = tx, outer = ty + 16 r" : "thread loads outer = tid % 64, k = tid / 64 + 4 r")}.");
        string outerLocal = kernel.U32(p + "_outer_local");
        string kLocal = kernel.U32(p + "_k_local");
        string store = kernel.U32(p + "_store");
        string outerIndex = kernel.U32(p + "_outer");
        string index = kernel.U32(p + "_index");
        if (operand.KContiguous)
        {
            w.Line($"mov.u32 {outerLocal}, {ty};");
            w.Line($"mov.u32 {kLocal}, {tx};");
        }
        else
        {
            w.Line($"and.b32 {outerLocal}, {tid}, {TileM - 1};");
            w.Line($"shr.u32 {kLocal}, {tid}, 6;");
        }

        w.Line($"mad.lo.u32 {store}, {kLocal}, {SharedStride}, {outerLocal};");
        w.Line($"mad.lo.u32 {store}, {store}, 4, {sharedBase};");
        plan.Store = store;

        for (int r = 0; r < RegisterBlock; r++)
        {
            // Load r covers outer + 16 r (K-contiguous) or k + 4 r (M/N-contiguous).
            int outerStep = operand.KContiguous ? ThreadsPerSide * r : 0;
            int kStep = operand.KContiguous ? 0 : 4 * r;
            plan.StoreOffsets[r] = (kStep * SharedStride + outerStep) * 4;
            plan.KOffsets[r] = kStep;

            w.Line($"add.u32 {outerIndex}, {outerBase}, {outerLocal};");
            if (outerStep > 0)
            {
                w.Line($"add.u32 {outerIndex}, {outerIndex}, {outerStep};");
            }

            if (!outer.IsMultipleOf(TileM))
            {
                string ok = kernel.Pred(Name(p + "_outer_ok", r));
                w.Line($"setp.lt.u32 {ok}, {outerIndex}, {outer.Operand};");
                plan.OuterInRange[r] = ok;
            }

            string kIndex = kernel.U32(p + "_k");
            w.Line($"add.u32 {kIndex}, {kLocal}, {kStep};");
            if (operand.KContiguous)
            {
                w.Line($"mad.lo.u32 {index}, {outerIndex}, {operand.Stride}, {kIndex};");
            }
            else
            {
                w.Line($"mad.lo.u32 {index}, {kIndex}, {operand.Stride}, {outerIndex};");
            }

            string address = kernel.U64(Name(p + "_address", r));
            kernel.ElementAddress(address, operand.Pointer, index);
            plan.Addresses[r] = address;
        }

        plan.KLocal = kLocal;
        plan.Step = operand.KContiguous ? TileK * 4L : (long)TileK * operand.Stride * 4L;
        return plan;
    }

    private static void EmitLoadStage(PtxKernelBuilder kernel, LoadPlan plan, Extent k, string kBase)
    {
        var w = kernel.Body;
        string p = plan.Operand.Prefix;
        string value = kernel.F32(p + "_value");
        bool checkK = !k.IsMultipleOf(TileK);
        string? kOkShared = null;
        string kIndex = kernel.U32(p + "_k");
        for (int r = 0; r < RegisterBlock; r++)
        {
            string? kOk = null;
            if (checkK)
            {
                // K-contiguous loads share one k per thread, so one predicate serves all four.
                if (!plan.Operand.KContiguous || r == 0)
                {
                    kOkShared = kernel.Pred(Name(p + "_k_ok", plan.Operand.KContiguous ? 0 : r));
                    w.Line($"add.u32 {kIndex}, {kBase}, {plan.KLocal};");
                    if (plan.KOffsets[r] > 0)
                    {
                        w.Line($"add.u32 {kIndex}, {kIndex}, {plan.KOffsets[r]};");
                    }

                    w.Line($"setp.lt.u32 {kOkShared}, {kIndex}, {k.Operand};");
                }

                kOk = kOkShared;
            }

            string? guard = kOk;
            string? outerOk = plan.OuterInRange[r];
            if (kOk is not null && outerOk is not null)
            {
                guard = kernel.Pred(Name(p + "_load_ok", r));
                w.Line($"and.pred {guard}, {outerOk}, {kOk};");
            }
            else
            {
                guard ??= outerOk;
            }

            if (guard is not null)
            {
                w.Line($"mov.f32 {value}, {PtxActivationEmitter.Zero};");
            }

            w.Line($"{Guard(guard)}ld.global.nc.f32 {value}, [{plan.Addresses[r]}];");
            w.Line($"st.shared.f32 [{plan.Store}+{plan.StoreOffsets[r]}], {value};");
        }
    }

    private static void EmitAdvance(PtxKernelBuilder kernel, LoadPlan plan)
    {
        for (int r = 0; r < RegisterBlock; r++)
        {
            kernel.Body.Line($"add.u64 {plan.Addresses[r]}, {plan.Addresses[r]}, {plan.Step};");
        }
    }

    /// <summary>A matrix extent: a compile-time constant or the run-time batch size.</summary>
    private readonly struct Extent
    {
        private Extent(string operand, int constant)
        {
            Operand = operand;
            Value = constant;
        }

        /// <summary>PTX operand: an immediate or the batch register.</summary>
        public string Operand { get; }

        /// <summary>The constant value, or 0 for the batch.</summary>
        public int Value { get; }

        public static Extent Constant(int value) => new Extent(value.ToString(CultureInfo.InvariantCulture), value);

        public static Extent Batch(string register) => new Extent(register, 0);

        public bool IsMultipleOf(int tile) => Value > 0 && Value % tile == 0;
    }

    private sealed class Operand
    {
        public Operand(string prefix, string pointer, bool kContiguous, int stride)
        {
            Prefix = prefix;
            Pointer = pointer;
            KContiguous = kContiguous;
            Stride = stride;
        }

        public string Prefix { get; }

        public string Pointer { get; }

        /// <summary>True when consecutive k are adjacent in memory (row-major [outer, K]); false for [K, outer].</summary>
        public bool KContiguous { get; }

        /// <summary>Elements between consecutive rows of the stored matrix (always a compile-time feature size).</summary>
        public int Stride { get; }
    }

    private sealed class LoadPlan
    {
        public LoadPlan(Operand operand) => Operand = operand;

        public Operand Operand { get; }

        public string[] Addresses { get; } = new string[RegisterBlock];

        public string?[] OuterInRange { get; } = new string?[RegisterBlock];

        public int[] StoreOffsets { get; } = new int[RegisterBlock];

        public int[] KOffsets { get; } = new int[RegisterBlock];

        public string Store { get; set; } = "";

        public string KLocal { get; set; } = "";

        public long Step { get; set; }
    }

    private sealed class Tile
    {
        public Tile(string threadId, string rowBase, string columnBase, string sharedA)
        {
            ThreadId = threadId;
            RowBase = rowBase;
            ColumnBase = columnBase;
            SharedA = sharedA;
        }

        public string ThreadId { get; }

        public string RowBase { get; }

        public string ColumnBase { get; }

        public string SharedA { get; }

        public string[,] Accumulators { get; } = new string[RegisterBlock, RegisterBlock];

        public string[] Rows { get; } = new string[RegisterBlock];

        public string[] Columns { get; } = new string[RegisterBlock];

        public string?[] RowInRange { get; } = new string?[RegisterBlock];

        public string?[] ColumnInRange { get; } = new string?[RegisterBlock];
    }
}
