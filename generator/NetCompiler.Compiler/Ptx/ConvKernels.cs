using System;
using System.Globalization;
using Extent = NetCompiler.Compiler.Ptx.TiledProduct.Extent;

namespace NetCompiler.Compiler.Ptx;

/// <summary>The compile-time geometry of one Conv2D layer (per sample, NCHW), as the PTX kernels see it.</summary>
public sealed record PtxConvShape(int InChannels, int InHeight, int InWidth, int OutChannels, int OutHeight, int OutWidth, int Kernel, int Stride, int Padding)
{
    /// <summary>Rows of the column matrix: one per weight of an output channel, <c>(c, ky, kx)</c>.</summary>
    public int Rows => InChannels * Kernel * Kernel;

    /// <summary>Columns of the column matrix: one per output position, <c>(oy, ox)</c>.</summary>
    public int Positions => OutHeight * OutWidth;

    /// <summary>Elements of one input sample.</summary>
    public int InSize => InChannels * InHeight * InWidth;

    /// <summary>Elements of one output sample.</summary>
    public int OutSize => OutChannels * Positions;

    /// <summary>Elements of one sample's column matrix.</summary>
    public int ColumnsSize => Rows * Positions;

    internal string Describe() => FormattableString.Invariant(
        $"[{InChannels}, {InHeight}, {InWidth}] -> [{OutChannels}, {OutHeight}, {OutWidth}], kernel {Kernel}, stride {Stride}, padding {Padding}");
}

/// <summary>
/// Conv2D on the GPU, over the same arena tensors as the C# kernels: im2col into the column tensor the memory plan
/// reserves (<c>cols [batch, Rows, Positions]</c>, which the weight gradient reads back), then three products that
/// treat the batch's positions as one long dimension <c>j = n · Positions + p</c>, so a launch covers the whole batch:
/// forward <c>Y[oc, j] = f(W[oc, :] · cols[:, j] + b[oc])</c>, weight gradient <c>dW = dY · colsᵀ</c> (the batch and
/// the positions are the reduction), input gradient <c>dCols = Wᵀ · dY</c>, followed by col2im as a gather (one thread
/// per input element, no atomics, so results are deterministic) with the previous activation's derivative fused.
/// The products use the 64x64-tile, 16-deep, 4x4-register-block scheme of <see cref="GemmKernels"/>.
/// </summary>
public static class ConvKernels
{
    /// <summary>Threads per block of the elementwise kernels (im2col, col2im, the bias reduction).</summary>
    public const int BlockSize = 256;

    /// <summary>
    /// <c>cols[n, (c, ky, kx), (oy, ox)] = x[n, c, oy·s - p + ky, ox·s - p + kx]</c>, 0 in the padding; one thread per element.
    /// Parameters: <c>x [batch, InC, InH, InW], batch, cols [batch, Rows, Positions]</c>.
    /// </summary>
    public static PtxKernel Im2Col(string name, PtxConvShape c)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv im2col: {c.Describe()}");
        string x = kernel.PointerParameter("x", $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}]");
        string batch = kernel.U32Parameter("batch");
        string cols = kernel.PointerParameter("cols", $"[batch, {c.Rows}, {c.Positions}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, c.ColumnsSize);
        var w = kernel.Body;
        string sample = kernel.U32("sample");
        string rest = kernel.U32("rest");
        string row = kernel.U32("row");
        string position = kernel.U32("position");
        string channel = kernel.U32("channel");
        string ky = kernel.U32("ky");
        string kx = kernel.U32("kx");
        string iy = kernel.U32("iy");
        string ix = kernel.U32("ix");
        string source = kernel.U32("source");
        string inside = kernel.Pred("inside");
        string insideX = kernel.Pred("inside_x");
        string value = kernel.F32("value");
        string address = kernel.U64("address");

        w.Comment($"index = (n, (c, ky, kx), (oy, ox)); iy = oy s + ky - p wraps below 0, so one unsigned test covers both edges.");
        w.Line($"div.u32 {sample}, {index}, {c.ColumnsSize};");
        w.Line($"rem.u32 {rest}, {index}, {c.ColumnsSize};");
        w.Line($"div.u32 {row}, {rest}, {c.Positions};");
        w.Line($"rem.u32 {position}, {rest}, {c.Positions};");
        w.Line($"div.u32 {channel}, {row}, {c.Kernel * c.Kernel};");
        w.Line($"rem.u32 {kx}, {row}, {c.Kernel * c.Kernel};");
        w.Line($"div.u32 {ky}, {kx}, {c.Kernel};");
        w.Line($"rem.u32 {kx}, {kx}, {c.Kernel};");
        w.Line($"div.u32 {iy}, {position}, {c.OutWidth};");
        w.Line($"rem.u32 {ix}, {position}, {c.OutWidth};");
        w.Line($"mad.lo.u32 {iy}, {iy}, {c.Stride}, {ky};");
        w.Line($"mad.lo.u32 {ix}, {ix}, {c.Stride}, {kx};");
        if (c.Padding > 0)
        {
            w.Line($"sub.u32 {iy}, {iy}, {c.Padding};");
            w.Line($"sub.u32 {ix}, {ix}, {c.Padding};");
        }

        w.Line($"setp.lt.u32 {inside}, {iy}, {c.InHeight};");
        w.Line($"setp.lt.u32 {insideX}, {ix}, {c.InWidth};");
        w.Line($"and.pred {inside}, {inside}, {insideX};");
        w.Line($"mad.lo.u32 {source}, {sample}, {c.InChannels}, {channel};");
        w.Line($"mad.lo.u32 {source}, {source}, {c.InHeight}, {iy};");
        w.Line($"mad.lo.u32 {source}, {source}, {c.InWidth}, {ix};");
        w.Line($"mov.f32 {value}, {PtxActivationEmitter.Zero};");
        kernel.ElementAddress(address, x, source);
        w.Line($"@{inside} ld.global.nc.f32 {value}, [{address}];");
        kernel.ElementAddress(address, cols, index);
        w.Line($"st.global.f32 [{address}], {value};");
        w.Line($"ret;");
        return kernel.Build(ElementwiseKernels.Launch(name, c.ColumnsSize));
    }

    /// <summary>
    /// <c>y[n, oc, p] = activation(Σ_k weight[oc, k] · cols[n, k, p] + bias[oc])</c>.
    /// Parameters: <c>cols [batch, Rows, Positions], weight [OutC, Rows], bias [OutC] (when <paramref name="hasBias"/>), batch, y [batch, OutC, Positions]</c>.
    /// </summary>
    public static PtxKernel Forward(string name, PtxConvShape c, PtxActivation activation, bool hasBias)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv forward: y = {PtxActivationEmitter.Describe(activation)}(weight[{c.OutChannels}, {c.Rows}] * cols{(hasBias ? $" + bias[{c.OutChannels}]" : "")}), {c.Describe()}");
        kernel.Header($"GEMM M = {c.OutChannels} (oc), N = batch * {c.Positions} (n, p), K = {c.Rows}");
        string cols = kernel.PointerParameter("cols", $"[batch, {c.Rows}, {c.Positions}]");
        string weight = kernel.PointerParameter("weight", $"[{c.OutChannels}, {c.Rows}]");
        string? bias = hasBias ? kernel.PointerParameter("bias", $"[{c.OutChannels}]") : null;
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {c.OutChannels}, {c.Positions}]");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        ProductTile tile = TiledProduct.Emit(
            kernel,
            Extent.Constant(c.OutChannels),
            Extent.Runtime(samples),
            Extent.Constant(c.Rows),
            new AxisLoader("a", weight, outer: Axis.Plain(c.Rows), k: Axis.Plain(1)),
            new AxisLoader("b", cols, outer: Axis.Samples(c.Positions, c.ColumnsSize), k: Axis.Plain(c.Positions)));

        string value = kernel.F32("value");
        string[]? biasRows = TiledProduct.EmitBiasLoads(kernel, bias, tile.Rows, tile.RowInRange, "bias_row");
        w.Comment($"Epilogue: bias, {PtxActivationEmitter.Describe(activation)}, bounds-checked store in NCHW order.");
        EmitStores(kernel, tile, Axis.Plain(c.Positions), Axis.Samples(c.Positions, c.OutSize), y, (r, c2, address, guard) =>
        {
            TiledProduct.EmitBiasActivation(kernel, tile.Accumulators[r, c2], biasRows?[r], activation, value);
            w.Line($"{guard}st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.PerBatch(c.Positions, Tile64), PtxGridDim.Fixed(c.OutChannels, Tile64)));
    }

    /// <summary>
    /// <c>dWeight[oc, k] = Σ_n Σ_p dY[n, oc, p] · cols[n, k, p]</c>, overwriting dWeight.
    /// Parameters: <c>dY [batch, OutC, Positions], cols [batch, Rows, Positions], batch, dWeight [OutC, Rows]</c>.
    /// </summary>
    public static PtxKernel BackwardWeight(string name, PtxConvShape c)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv backward (weight): dWeight[{c.OutChannels}, {c.Rows}] = dY * cols^T over batch and positions, {c.Describe()}");
        kernel.Header($"GEMM M = {c.OutChannels} (oc), N = {c.Rows} (c, ky, kx), K = batch * {c.Positions} (n, p)");
        string dY = kernel.PointerParameter("dY", $"[batch, {c.OutChannels}, {c.Positions}]");
        string cols = kernel.PointerParameter("cols", $"[batch, {c.Rows}, {c.Positions}]");
        string batch = kernel.U32Parameter("batch");
        string dWeight = kernel.PointerParameter("dWeight", $"[{c.OutChannels}, {c.Rows}]");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        ProductTile tile = TiledProduct.Emit(
            kernel,
            Extent.Constant(c.OutChannels),
            Extent.Constant(c.Rows),
            Extent.Runtime(samples),
            new AxisLoader("a", dY, outer: Axis.Plain(c.Positions), k: Axis.Samples(c.Positions, c.OutSize)),
            new AxisLoader("b", cols, outer: Axis.Plain(c.Positions), k: Axis.Samples(c.Positions, c.ColumnsSize)));
        w.Comment($"Epilogue: bounds-checked store of dWeight.");
        EmitStores(kernel, tile, Axis.Plain(c.Rows), Axis.Plain(1), dWeight, (r, c2, address, guard) => w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[r, c2]};"));
        w.Line($"ret;");
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.Fixed(c.Rows, Tile64), PtxGridDim.Fixed(c.OutChannels, Tile64)));
    }

    /// <summary>
    /// <c>dBias[oc] = Σ_n Σ_p dY[n, oc, p]</c>, overwriting dBias: one block per channel, a strided sum per thread and a
    /// shared-memory tree, so the order of additions is fixed.
    /// Parameters: <c>dY [batch, OutC, Positions], batch, dBias [OutC]</c>.
    /// </summary>
    public static PtxKernel BackwardBias(string name, PtxConvShape c)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv backward (bias): dBias[{c.OutChannels}] = sums of dY over batch and positions, {c.Describe()}");
        string dY = kernel.PointerParameter("dY", $"[batch, {c.OutChannels}, {c.Positions}]");
        string batch = kernel.U32Parameter("batch");
        string dBias = kernel.PointerParameter("dBias", $"[{c.OutChannels}]");
        kernel.UseSharedMemory(BlockSize * 4);
        var w = kernel.Body;
        string tid = kernel.U32("thread");
        string channel = kernel.U32("channel");
        string count = kernel.U32("count");
        string j = kernel.U32("j");
        string sample = kernel.U32("sample");
        string position = kernel.U32("position");
        string index = kernel.U32("index");
        string sum = kernel.F32("sum");
        string value = kernel.F32("value");
        string more = kernel.Pred("more");
        string address = kernel.U64("address");
        string shared = kernel.U32("shared");
        string partner = kernel.U32("partner");
        string active = kernel.Pred("active");

        w.Line($"mov.u32 {tid}, %tid.x;");
        w.Line($"mov.u32 {channel}, %ctaid.x;");
        w.Line($"mul.lo.u32 {count}, {batch}, {c.Positions};");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        w.Line($"mov.u32 {j}, {tid};");
        w.Line($"setp.lt.u32 {more}, {j}, {count};");
        w.Line($"@!{more} bra SUM_DONE;");
        w.Label("SUM_LOOP");
        w.Line($"div.u32 {sample}, {j}, {c.Positions};");
        w.Line($"rem.u32 {position}, {j}, {c.Positions};");
        w.Line($"mad.lo.u32 {index}, {sample}, {c.OutChannels}, {channel};");
        w.Line($"mad.lo.u32 {index}, {index}, {c.Positions}, {position};");
        kernel.ElementAddress(address, dY, index);
        w.Line($"ld.global.nc.f32 {value}, [{address}];");
        w.Line($"add.f32 {sum}, {sum}, {value};");
        w.Line($"add.u32 {j}, {j}, {BlockSize};");
        w.Line($"setp.lt.u32 {more}, {j}, {count};");
        w.Line($"@{more} bra SUM_LOOP;");
        w.Label("SUM_DONE");
        w.Line($"mov.u32 {shared}, {kernel.SharedSymbol};");
        w.Line($"mad.lo.u32 {shared}, {tid}, 4, {shared};");
        w.Line($"st.shared.f32 [{shared}], {sum};");
        for (int half = BlockSize / 2; half >= 1; half /= 2)
        {
            w.Line($"bar.sync 0;");
            w.Line($"setp.lt.u32 {active}, {tid}, {half};");
            w.Line($"@{active} ld.shared.f32 {sum}, [{shared}];");
            w.Line($"add.u32 {partner}, {shared}, {half * 4};");
            w.Line($"@{active} ld.shared.f32 {value}, [{partner}];");
            w.Line($"@{active} add.f32 {sum}, {sum}, {value};");
            w.Line($"@{active} st.shared.f32 [{shared}], {sum};");
        }

        w.Line($"setp.ne.u32 {active}, {tid}, 0;");
        w.Line($"@{active} ret;");
        kernel.ElementAddress(address, dBias, channel);
        w.Line($"st.global.f32 [{address}], {sum};");
        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(name, PtxGridDim.Fixed(c.OutChannels, 1), PtxGridDim.One, BlockSize, 1, BlockSize * 4));
    }

    /// <summary>
    /// <c>dCols[n, k, p] = Σ_oc weight[oc, k] · dY[n, oc, p]</c>.
    /// Parameters: <c>dY [batch, OutC, Positions], weight [OutC, Rows], batch, dCols [batch, Rows, Positions]</c>.
    /// </summary>
    public static PtxKernel BackwardColumns(string name, PtxConvShape c)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv backward (columns): dCols = weight[{c.OutChannels}, {c.Rows}]^T * dY, {c.Describe()}");
        kernel.Header($"GEMM M = {c.Rows} (c, ky, kx), N = batch * {c.Positions} (n, p), K = {c.OutChannels} (oc)");
        string dY = kernel.PointerParameter("dY", $"[batch, {c.OutChannels}, {c.Positions}]");
        string weight = kernel.PointerParameter("weight", $"[{c.OutChannels}, {c.Rows}]");
        string batch = kernel.U32Parameter("batch");
        string dCols = kernel.PointerParameter("dCols", $"[batch, {c.Rows}, {c.Positions}]");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        ProductTile tile = TiledProduct.Emit(
            kernel,
            Extent.Constant(c.Rows),
            Extent.Runtime(samples),
            Extent.Constant(c.OutChannels),
            new AxisLoader("a", weight, outer: Axis.Plain(1), k: Axis.Plain(c.Rows)),
            new AxisLoader("b", dY, outer: Axis.Samples(c.Positions, c.OutSize), k: Axis.Plain(c.Positions)));
        w.Comment($"Epilogue: bounds-checked store of dCols.");
        EmitStores(kernel, tile, Axis.Plain(c.Positions), Axis.Samples(c.Positions, c.ColumnsSize), dCols, (r, c2, address, guard) => w.Line($"{guard}st.global.f32 [{address}], {tile.Accumulators[r, c2]};"));
        w.Line($"ret;");
        return kernel.Build(TiledProduct.Launch(name, PtxGridDim.PerBatch(c.Positions, Tile64), PtxGridDim.Fixed(c.Rows, Tile64)));
    }

    /// <summary>
    /// col2im as a gather: <c>dX[n, c, iy, ix] = Σ_{kx, ky} dCols[n, (c, ky, kx), (oy, ox)]</c> over the kernel offsets whose
    /// window covers the element (in the C# kernel's order, kx outer), times <paramref name="inputActivation"/>'s
    /// derivative computed from its saved output x. One thread per input element.
    /// Parameters: <c>dCols [batch, Rows, Positions], x [batch, InC, InH, InW] (unless identity), batch, dX [batch, InC, InH, InW]</c>.
    /// </summary>
    public static PtxKernel Col2Im(string name, PtxConvShape c, PtxActivation inputActivation)
    {
        bool fused = inputActivation != PtxActivation.Identity;
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"conv col2im: dX = col2im(dCols){(fused ? $" .* {PtxActivationEmitter.Describe(inputActivation)}'(x)" : "")}, {c.Describe()}");
        string dCols = kernel.PointerParameter("dCols", $"[batch, {c.Rows}, {c.Positions}]");
        string? x = fused ? kernel.PointerParameter("x", $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}] saved {PtxActivationEmitter.Describe(inputActivation)} output") : null;
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, c.InSize);
        var w = kernel.Body;
        string sample = kernel.U32("sample");
        string channel = kernel.U32("channel");
        string iy = kernel.U32("iy");
        string ix = kernel.U32("ix");
        string ty = kernel.U32("ty");
        string tx = kernel.U32("tx");
        string oy = kernel.U32("oy");
        string ox = kernel.U32("ox");
        string step = kernel.U32("step");
        string source = kernel.U32("source");
        string columnsBase = kernel.U32("columns_base");
        string valid = kernel.Pred("valid");
        string validX = kernel.Pred("valid_x");
        string sum = kernel.F32("sum");
        string value = kernel.F32("value");
        string address = kernel.U64("address");

        w.Comment($"index = (n, c, iy, ix); a kernel offset (ky, kx) reaches it from oy = (iy + p - ky) / s when that divides exactly and is in range.");
        w.Line($"div.u32 {sample}, {index}, {c.InSize};");
        w.Line($"rem.u32 {ix}, {index}, {c.InSize};");
        w.Line($"div.u32 {channel}, {ix}, {c.InHeight * c.InWidth};");
        w.Line($"rem.u32 {ix}, {ix}, {c.InHeight * c.InWidth};");
        w.Line($"div.u32 {iy}, {ix}, {c.InWidth};");
        w.Line($"rem.u32 {ix}, {ix}, {c.InWidth};");
        if (c.Padding > 0)
        {
            w.Line($"add.u32 {iy}, {iy}, {c.Padding};");
            w.Line($"add.u32 {ix}, {ix}, {c.Padding};");
        }

        w.Line($"mul.lo.u32 {columnsBase}, {sample}, {c.Rows};");
        w.Line($"mad.lo.u32 {columnsBase}, {channel}, {c.Kernel * c.Kernel}, {columnsBase};");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        for (int kx = 0; kx < c.Kernel; kx++)
        {
            for (int ky = 0; ky < c.Kernel; ky++)
            {
                string skip = FormattableString.Invariant($"SKIP_{ky}_{kx}");
                // iy + p - ky wraps above every valid value when negative, so the range test below rejects it.
                w.Line($"sub.u32 {ty}, {iy}, {ky};");
                w.Line($"sub.u32 {tx}, {ix}, {kx};");
                EmitOutputCoordinate(kernel, ty, oy, step, valid, c.Stride, c.OutHeight);
                EmitOutputCoordinate(kernel, tx, ox, step, validX, c.Stride, c.OutWidth);
                w.Line($"and.pred {valid}, {valid}, {validX};");
                w.Line($"@!{valid} bra {skip};");
                w.Line($"add.u32 {source}, {columnsBase}, {ky * c.Kernel + kx};");
                w.Line($"mad.lo.u32 {source}, {source}, {c.OutHeight}, {oy};");
                w.Line($"mad.lo.u32 {source}, {source}, {c.OutWidth}, {ox};");
                kernel.ElementAddress(address, dCols, source);
                w.Line($"ld.global.nc.f32 {value}, [{address}];");
                w.Line($"add.rn.f32 {sum}, {sum}, {value};");
                w.Label(skip);
            }
        }

        ElementwiseKernels.EmitGradientStore(kernel, sum, x, inputActivation, index, dX);
        return kernel.Build(ElementwiseKernels.Launch(name, c.InSize));
    }

    // o = t / s when s divides t and o < limit; t is unsigned, so a wrapped negative value fails the range test.
    private static void EmitOutputCoordinate(PtxKernelBuilder kernel, string t, string o, string remainder, string valid, int stride, int limit)
    {
        var w = kernel.Body;
        if (stride == 1)
        {
            w.Line($"mov.u32 {o}, {t};");
            w.Line($"setp.lt.u32 {valid}, {o}, {limit};");
            return;
        }

        string divides = kernel.Pred("divides");
        w.Line($"div.u32 {o}, {t}, {stride};");
        w.Line($"rem.u32 {remainder}, {t}, {stride};");
        w.Line($"setp.lt.u32 {valid}, {o}, {limit};");
        w.Line($"setp.eq.u32 {divides}, {remainder}, 0;");
        w.Line($"and.pred {valid}, {valid}, {divides};");
    }

    // batch * positions: the length of the flattened (sample, position) dimension.
    private static string SampleExtent(PtxKernelBuilder kernel, string batch, int positions)
    {
        string samples = kernel.U32("batch_positions");
        kernel.Body.Line($"mul.lo.u32 {samples}, {batch}, {positions};");
        return samples;
    }

    private const int Tile64 = TiledProduct.Tile;
    private const int RegisterBlock = TiledProduct.RegisterBlock;

    private static string Name(string prefix, int index) => TiledProduct.Name(prefix, index);

    /// <summary>
    /// One matrix index mapped to memory: <c>i · Stride</c>, or for the flattened (sample, position) dimension
    /// <c>(i / Positions) · SampleStride + i % Positions</c>.
    /// </summary>
    private sealed record Axis(int Stride, int Positions, int SampleStride)
    {
        public static Axis Plain(int stride) => new Axis(stride, 0, 0);

        public static Axis Samples(int positions, int sampleStride) => new Axis(1, positions, sampleStride);

        public bool IsSamples => Positions > 0;

        /// <summary>Whether consecutive indices are adjacent in memory.</summary>
        public bool IsContiguous => IsSamples || Stride == 1;

        public void Emit(PtxKernelBuilder kernel, string destination, string index, string prefix)
        {
            var w = kernel.Body;
            if (!IsSamples)
            {
                w.Line($"mul.lo.u32 {destination}, {index}, {Stride};");
                return;
            }

            string sample = kernel.U32(prefix + "_sample");
            string position = kernel.U32(prefix + "_position");
            w.Line($"div.u32 {sample}, {index}, {Positions};");
            w.Line($"rem.u32 {position}, {index}, {Positions};");
            w.Line($"mad.lo.u32 {destination}, {sample}, {SampleStride}, {position};");
        }
    }

    /// <summary>Calls <paramref name="store"/> for each of the 16 outputs; output (row, column) lives at <c>rows(row) + columns(column)</c>.</summary>
    private static void EmitStores(PtxKernelBuilder kernel, ProductTile tile, Axis rows, Axis columns, string output, Action<int, int, string, string> store)
    {
        string[] rowOffsets = new string[RegisterBlock];
        string[] columnOffsets = new string[RegisterBlock];
        for (int i = 0; i < RegisterBlock; i++)
        {
            rowOffsets[i] = kernel.U32(Name("row_offset", i));
            rows.Emit(kernel, rowOffsets[i], tile.Rows[i], "out");
        }

        for (int i = 0; i < RegisterBlock; i++)
        {
            columnOffsets[i] = kernel.U32(Name("column_offset", i));
            columns.Emit(kernel, columnOffsets[i], tile.Columns[i], "out");
        }

        TiledProduct.EmitStores(kernel, tile, output, rowOffsets, columnOffsets, store);
    }

    /// <summary>An operand whose element (outer, k) lives at <c>outer(outer) + k(k)</c>; offsets are recomputed each stage.</summary>
    private sealed class AxisLoader : TileLoader
    {
        private readonly Axis _outer;
        private readonly Axis _k;
        private readonly string[] _outerOffsets = new string[RegisterBlock];

        // Threads walk the contiguous index, so a warp's loads coalesce.
        public AxisLoader(string prefix, string pointer, Axis outer, Axis k)
            : base(prefix, pointer, k.IsContiguous)
        {
            _outer = outer;
            _k = k;
        }

        public override void EmitStage(PtxKernelBuilder kernel, Extent k, string kBase)
        {
            var w = kernel.Body;
            string kIndex = kernel.U32(Prefix + "_k");
            string kOffset = kernel.U32(Prefix + "_k_offset");
            string index = kernel.U32(Prefix + "_index");
            string address = kernel.U64(Prefix + "_address");
            string? kOk = null;
            for (int r = 0; r < RegisterBlock; r++)
            {
                if (!KContiguous || r == 0)
                {
                    kOk = EmitK(kernel, r, k, kBase, kIndex);
                    _k.Emit(kernel, kOffset, kIndex, Prefix + "_k");
                }

                string? guard = TiledProduct.Both(kernel, OuterInRange[r], kOk, Prefix + "_load_ok");
                w.Line($"add.u32 {index}, {_outerOffsets[r]}, {kOffset};");
                kernel.ElementAddress(address, Pointer, index);
                EmitLoad(kernel, r, guard, address);
            }
        }

        protected override void EmitLoadSetup(PtxKernelBuilder kernel, int r, string outerIndex)
        {
            if (r > 0 && !KContiguous)
            {
                _outerOffsets[r] = _outerOffsets[0];
                return;
            }

            _outerOffsets[r] = kernel.U32(Name(Prefix + "_outer_offset", r));
            _outer.Emit(kernel, _outerOffsets[r], outerIndex, Prefix);
        }
    }
}
