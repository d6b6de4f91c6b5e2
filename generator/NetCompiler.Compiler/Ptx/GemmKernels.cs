using System;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// The three products of a dense layer (PyTorch layout: weight [out, in]) as <see cref="TiledProduct"/>s: 64x64 output
/// tiles, 256 threads with a 4x4 register block each, K walked in steps of 16 through shared memory. Loads and stores
/// are bounds-checked wherever an extent is not a compile-time multiple of the tile (the batch size never is).
/// </summary>
public static class GemmKernels
{
    /// <summary>Output rows per block.</summary>
    public const int TileM = TiledProduct.Tile;

    /// <summary>Output columns per block.</summary>
    public const int TileN = TiledProduct.Tile;

    /// <summary>Reduction depth per shared-memory stage.</summary>
    public const int TileK = TiledProduct.TileK;

    /// <summary>Threads per block: a 16x16 grid, each owning a 4x4 register block (64 / 16 = 4 per side).</summary>
    public const int Threads = TiledProduct.Threads;

    private const int RegisterBlock = TiledProduct.RegisterBlock;

    /// <summary>Dynamic shared memory of every GEMM kernel: one A tile and one B tile.</summary>
    public const int SharedMemoryBytes = TiledProduct.SharedMemoryBytes;

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
        string x = kernel.PointerParameter("x", $"[batch, {inFeatures}]");
        string weight = kernel.PointerParameter("weight", $"[{outFeatures}, {inFeatures}]");
        string? bias = hasBias ? kernel.PointerParameter("bias", $"[{outFeatures}]") : null;
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {outFeatures}]");


        var a = new StridedLoader("a", x, kContiguous: true, stride: inFeatures);
        var b = new StridedLoader("b", weight, kContiguous: true, stride: inFeatures);
        ProductTile tile = TiledProduct.Emit(kernel, TiledProduct.Extent.Runtime(batch), TiledProduct.Extent.Constant(outFeatures), TiledProduct.Extent.Constant(inFeatures), a, b);

        string value = kernel.F32("value");
        var w = kernel.Body;
        w.Line();
        w.Comment($"Epilogue: add bias, apply {PtxActivationEmitter.Describe(activation)}, store the bounds-checked 4x4 block.");
        string[]? biasColumns = TiledProduct.EmitBiasLoads(kernel, bias, tile.Columns, tile.ColumnInRange, "bias_col");
        EmitStores(kernel, tile, outFeatures, y, (r, c, address, guard) =>
        {
            TiledProduct.EmitBiasActivation(kernel, tile.Accumulators[r, c], biasColumns?[c], activation, value);
            w.Line($"{guard}st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.Fixed(outFeatures, TileN), PtxGridDim.PerBatch(1, TileM)));
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
        string dZ = kernel.PointerParameter("dZ", $"[batch, {outFeatures}]");
        string weight = kernel.PointerParameter("weight", $"[{outFeatures}, {inFeatures}]");
        string? x = fused ? kernel.PointerParameter("x", $"[batch, {inFeatures}] saved {PtxActivationEmitter.Describe(inputActivation)} output") : null;
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {inFeatures}]");


        var a = new StridedLoader("a", dZ, kContiguous: true, stride: outFeatures);
        var b = new StridedLoader("b", weight, kContiguous: false, stride: inFeatures);
        ProductTile tile = TiledProduct.Emit(kernel, TiledProduct.Extent.Runtime(batch), TiledProduct.Extent.Constant(inFeatures), TiledProduct.Extent.Constant(outFeatures), a, b);

        string value = kernel.F32("value");
        string saved = kernel.F32("saved");
        string savedAddress = kernel.U64("saved_address");
        var w = kernel.Body;
        w.Line();
        w.Comment($"Epilogue: {(fused ? $"multiply by {PtxActivationEmitter.Describe(inputActivation)}'(x) and " : "")}store the bounds-checked 4x4 block.");
        EmitStores(kernel, tile, inFeatures, dX, (r, c, address, guard) =>
        {
            if (x is null)
            {
                w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[r, c]};");
                return;
            }

            // dX and x share the [batch, in] layout, so x's element lives at the same byte offset.
            w.Line($"sub.u64 {savedAddress}, {address}, {dX};");
            w.Line($"add.u64 {savedAddress}, {savedAddress}, {x};");
            w.Line($"mov.f32 {saved}, {PtxActivationEmitter.Zero};");
            w.Line($"{guard}ld.global.nc.f32 {saved}, [{savedAddress}];");
            PtxActivationEmitter.MultiplyByDerivative(kernel, inputActivation, value, tile.Accumulators[r, c], saved);
            w.Line($"{guard}st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.Fixed(inFeatures, TileN), PtxGridDim.PerBatch(1, TileM)));
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
        string dZ = kernel.PointerParameter("dZ", $"[batch, {outFeatures}]");
        string x = kernel.PointerParameter("x", $"[batch, {inFeatures}]");
        string batch = kernel.U32Parameter("batch");
        string dWeight = kernel.PointerParameter("dWeight", $"[{outFeatures}, {inFeatures}]");
        string? dBias = hasBias ? kernel.PointerParameter("dBias", $"[{outFeatures}]") : null;
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

        Action<ProductTile>? perStage = null;
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
                    w.Line($"ld.shared.f32 {biasTerm}, [{biasRead}+{kk * TiledProduct.SharedStride * 4}];");
                    w.Line($"add.f32 {biasSum}, {biasSum}, {biasTerm};");
                }

                w.Label(skip);
            };
        }

        var a = new StridedLoader("a", dZ, kContiguous: false, stride: outFeatures);
        var b = new StridedLoader("b", x, kContiguous: false, stride: inFeatures);
        ProductTile tile = TiledProduct.Emit(kernel, TiledProduct.Extent.Constant(outFeatures), TiledProduct.Extent.Constant(inFeatures), TiledProduct.Extent.Runtime(batch), a, b, tileSetup: t =>
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
        }, perStage);

        w.Line();
        w.Comment($"Epilogue: store the bounds-checked 4x4 block of dWeight.");
        EmitStores(kernel, tile, inFeatures, dWeight, (r, c, address, guard) => w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[r, c]};"));

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
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.Fixed(inFeatures, TileN), PtxGridDim.Fixed(outFeatures, TileM)));
    }

    private static string Name(string prefix, int index) => TiledProduct.Name(prefix, index);

    /// <summary>Calls <paramref name="store"/> for the 16 outputs of a row-major <c>[rows, rowStride]</c> output.</summary>
    private static void EmitStores(PtxKernelBuilder kernel, ProductTile tile, int rowStride, string output, Action<int, int, string, string> store)
    {
        string[] rowOffsets = new string[RegisterBlock];
        for (int r = 0; r < RegisterBlock; r++)
        {
            rowOffsets[r] = kernel.U32(Name("row_offset", r));
            kernel.Body.Line($"mul.lo.u32 {rowOffsets[r]}, {tile.Rows[r]}, {rowStride};");
        }

        TiledProduct.EmitStores(kernel, tile, output, rowOffsets, tile.Columns, store);
    }

    /// <summary>
    /// A row-major operand with a compile-time row stride: <c>[outer, K]</c> when K-contiguous, else <c>[K, outer]</c>.
    /// Each load keeps a global address that advances by one stage per iteration.
    /// </summary>
    private sealed class StridedLoader : TileLoader
    {
        private readonly int _stride;
        private readonly string[] _addresses = new string[RegisterBlock];

        public StridedLoader(string prefix, string pointer, bool kContiguous, int stride)
            : base(prefix, pointer, kContiguous)
        {
            _stride = stride;
        }

        public override void EmitStage(PtxKernelBuilder kernel, TiledProduct.Extent k, string kBase)
        {
            string kIndex = kernel.U32(Prefix + "_k");
            string? kOk = null;
            for (int r = 0; r < RegisterBlock; r++)
            {
                if (!KContiguous || r == 0)
                {
                    kOk = k.IsMultipleOf(TileK) ? null : EmitK(kernel, r, k, kBase, kIndex);
                }

                EmitLoad(kernel, r, TiledProduct.Both(kernel, OuterInRange[r], kOk, Name(Prefix + "_load_ok", r)), _addresses[r]);
            }
        }

        public override void EmitAdvance(PtxKernelBuilder kernel)
        {
            long step = KContiguous ? TileK * 4L : (long)TileK * _stride * 4L;
            foreach (string address in _addresses)
            {
                kernel.Body.Line($"add.u64 {address}, {address}, {step};");
            }
        }

        protected override void EmitLoadSetup(PtxKernelBuilder kernel, int r, string outerIndex)
        {
            var w = kernel.Body;
            string kIndex = kernel.U32(Prefix + "_k");
            string index = kernel.U32(Prefix + "_index");
            w.Line($"add.u32 {kIndex}, {KLocal}, {KSteps[r]};");
            if (KContiguous)
            {
                w.Line($"mad.lo.u32 {index}, {outerIndex}, {_stride}, {kIndex};");
            }
            else
            {
                w.Line($"mad.lo.u32 {index}, {kIndex}, {_stride}, {outerIndex};");
            }

            _addresses[r] = kernel.U64(Name(Prefix + "_address", r));
            kernel.ElementAddress(_addresses[r], Pointer, index);
        }
    }
}
