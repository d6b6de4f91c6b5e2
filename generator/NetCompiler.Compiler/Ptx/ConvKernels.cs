using System;
using System.Globalization;

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
        kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("cols", PtxParameterKind.Pointer, $"[batch, {c.Rows}, {c.Positions}]");
        string x = kernel.LoadPointer("x");
        string batch = kernel.LoadU32("batch");
        string cols = kernel.LoadPointer("cols");
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
        return kernel.Build(ElementwiseLaunch(name, c.ColumnsSize));
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
        kernel.Parameter("cols", PtxParameterKind.Pointer, $"[batch, {c.Rows}, {c.Positions}]");
        kernel.Parameter("weight", PtxParameterKind.Pointer, $"[{c.OutChannels}, {c.Rows}]");
        if (hasBias)
        {
            kernel.Parameter("bias", PtxParameterKind.Pointer, $"[{c.OutChannels}]");
        }

        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("y", PtxParameterKind.Pointer, $"[batch, {c.OutChannels}, {c.Positions}]");
        string cols = kernel.LoadPointer("cols");
        string weight = kernel.LoadPointer("weight");
        string? bias = hasBias ? kernel.LoadPointer("bias") : null;
        string batch = kernel.LoadU32("batch");
        string y = kernel.LoadPointer("y");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        var gemm = new TiledProduct(
            M: Extent.Constant(c.OutChannels),
            N: Extent.Runtime(samples),
            K: Extent.Constant(c.Rows),
            A: new Operand("a", weight, Outer: Axis.Plain(c.Rows), K: Axis.Plain(1)),
            B: new Operand("b", cols, Outer: Axis.Samples(c.Positions, c.ColumnsSize), K: Axis.Plain(c.Positions)),
            OutputRows: Axis.Plain(c.Positions),
            OutputColumns: Axis.Samples(c.Positions, c.OutSize));
        Tile tile = EmitProduct(kernel, gemm);

        string value = kernel.F32("value");
        string[] biasRows = new string[RegisterBlock];
        if (bias is not null)
        {
            string address = kernel.U64("bias_address");
            for (int r = 0; r < RegisterBlock; r++)
            {
                biasRows[r] = kernel.F32(Name("bias_row", r));
                w.Line($"mov.f32 {biasRows[r]}, {PtxActivationEmitter.Zero};");
                kernel.ElementAddress(address, bias, tile.Rows[r]);
                w.Line($"@{tile.RowInRange[r]} ld.global.nc.f32 {biasRows[r]}, [{address}];");
            }
        }

        w.Comment($"Epilogue: bias, {PtxActivationEmitter.Describe(activation)}, bounds-checked store in NCHW order.");
        EmitStores(kernel, tile, y, (r, c2, address, guard) =>
        {
            if (bias is null)
            {
                w.Line($"mov.f32 {value}, {tile.Accumulators[r, c2]};");
            }
            else
            {
                w.Line($"add.f32 {value}, {tile.Accumulators[r, c2]}, {biasRows[r]};");
            }
            PtxActivationEmitter.Forward(kernel, activation, value, value);
            w.Line($"@{guard} st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(name, PtxGridDim.PerBatch(c.Positions, Tile64), PtxGridDim.Fixed(c.OutChannels, Tile64), Threads, 1, SharedMemoryBytes));
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
        kernel.Parameter("dY", PtxParameterKind.Pointer, $"[batch, {c.OutChannels}, {c.Positions}]");
        kernel.Parameter("cols", PtxParameterKind.Pointer, $"[batch, {c.Rows}, {c.Positions}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dWeight", PtxParameterKind.Pointer, $"[{c.OutChannels}, {c.Rows}]");
        string dY = kernel.LoadPointer("dY");
        string cols = kernel.LoadPointer("cols");
        string batch = kernel.LoadU32("batch");
        string dWeight = kernel.LoadPointer("dWeight");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        var gemm = new TiledProduct(
            M: Extent.Constant(c.OutChannels),
            N: Extent.Constant(c.Rows),
            K: Extent.Runtime(samples),
            A: new Operand("a", dY, Outer: Axis.Plain(c.Positions), K: Axis.Samples(c.Positions, c.OutSize)),
            B: new Operand("b", cols, Outer: Axis.Plain(c.Positions), K: Axis.Samples(c.Positions, c.ColumnsSize)),
            OutputRows: Axis.Plain(c.Rows),
            OutputColumns: Axis.Plain(1));
        Tile tile = EmitProduct(kernel, gemm);
        w.Comment($"Epilogue: bounds-checked store of dWeight.");
        EmitStores(kernel, tile, dWeight, (r, c2, address, guard) => w.Line($"@{guard} st.global.f32 [{address}], {tile.Accumulators[r, c2]};"));
        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(name, PtxGridDim.Fixed(c.Rows, Tile64), PtxGridDim.Fixed(c.OutChannels, Tile64), Threads, 1, SharedMemoryBytes));
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
        kernel.Parameter("dY", PtxParameterKind.Pointer, $"[batch, {c.OutChannels}, {c.Positions}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dBias", PtxParameterKind.Pointer, $"[{c.OutChannels}]");
        kernel.UseSharedMemory(BlockSize * 4);
        string dY = kernel.LoadPointer("dY");
        string batch = kernel.LoadU32("batch");
        string dBias = kernel.LoadPointer("dBias");
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
        kernel.Parameter("dY", PtxParameterKind.Pointer, $"[batch, {c.OutChannels}, {c.Positions}]");
        kernel.Parameter("weight", PtxParameterKind.Pointer, $"[{c.OutChannels}, {c.Rows}]");
        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dCols", PtxParameterKind.Pointer, $"[batch, {c.Rows}, {c.Positions}]");
        string dY = kernel.LoadPointer("dY");
        string weight = kernel.LoadPointer("weight");
        string batch = kernel.LoadU32("batch");
        string dCols = kernel.LoadPointer("dCols");
        var w = kernel.Body;
        string samples = SampleExtent(kernel, batch, c.Positions);

        var gemm = new TiledProduct(
            M: Extent.Constant(c.Rows),
            N: Extent.Runtime(samples),
            K: Extent.Constant(c.OutChannels),
            A: new Operand("a", weight, Outer: Axis.Plain(1), K: Axis.Plain(c.Rows)),
            B: new Operand("b", dY, Outer: Axis.Samples(c.Positions, c.OutSize), K: Axis.Plain(c.Positions)),
            OutputRows: Axis.Plain(c.Positions),
            OutputColumns: Axis.Samples(c.Positions, c.ColumnsSize));
        Tile tile = EmitProduct(kernel, gemm);
        w.Comment($"Epilogue: bounds-checked store of dCols.");
        EmitStores(kernel, tile, dCols, (r, c2, address, guard) => w.Line($"@{guard} st.global.f32 [{address}], {tile.Accumulators[r, c2]};"));
        w.Line($"ret;");
        return kernel.Build(new PtxLaunch(name, PtxGridDim.PerBatch(c.Positions, Tile64), PtxGridDim.Fixed(c.Rows, Tile64), Threads, 1, SharedMemoryBytes));
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
        kernel.Parameter("dCols", PtxParameterKind.Pointer, $"[batch, {c.Rows}, {c.Positions}]");
        if (fused)
        {
            kernel.Parameter("x", PtxParameterKind.Pointer, $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}] saved {PtxActivationEmitter.Describe(inputActivation)} output");
        }

        kernel.Parameter("batch", PtxParameterKind.UInt32);
        kernel.Parameter("dX", PtxParameterKind.Pointer, $"[batch, {c.InChannels}, {c.InHeight}, {c.InWidth}]");
        string dCols = kernel.LoadPointer("dCols");
        string? x = fused ? kernel.LoadPointer("x") : null;
        string batch = kernel.LoadU32("batch");
        string dX = kernel.LoadPointer("dX");
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

        if (x is not null)
        {
            string saved = kernel.F32("saved");
            kernel.ElementAddress(address, x, index);
            w.Line($"ld.global.nc.f32 {saved}, [{address}];");
            PtxActivationEmitter.MultiplyByDerivative(kernel, inputActivation, sum, sum, saved);
        }

        kernel.ElementAddress(address, dX, index);
        w.Line($"st.global.f32 [{address}], {sum};");
        w.Line($"ret;");
        return kernel.Build(ElementwiseLaunch(name, c.InSize));
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

    internal static PtxLaunch ElementwiseLaunch(string name, int itemsPerSample) =>
        new PtxLaunch(name, PtxGridDim.PerBatch(itemsPerSample, BlockSize), PtxGridDim.One, BlockSize, 1, 0);

    // batch * positions: the length of the flattened (sample, position) dimension.
    private static string SampleExtent(PtxKernelBuilder kernel, string batch, int positions)
    {
        string samples = kernel.U32("batch_positions");
        kernel.Body.Line($"mul.lo.u32 {samples}, {batch}, {positions};");
        return samples;
    }

    private const int Tile64 = 64;
    private const int TileK = 16;
    private const int Threads = 256;
    private const int ThreadsPerSide = 16;
    private const int RegisterBlock = 4;

    // One float of padding per shared row, as in GemmKernels: transposed stores hit distinct banks.
    private const int SharedStride = Tile64 + 1;
    private const int SharedTileBytes = TileK * SharedStride * 4;
    private const int SharedMemoryBytes = 2 * SharedTileBytes;

    private static string Name(string prefix, int index) => prefix + index.ToString(CultureInfo.InvariantCulture);

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

    /// <summary>A matrix extent: a compile-time constant or a register holding <c>batch · positions</c>.</summary>
    private sealed record Extent(string Operand, int Value)
    {
        public static Extent Constant(int value) => new Extent(value.ToString(CultureInfo.InvariantCulture), value);

        public static Extent Runtime(string register) => new Extent(register, 0);

        public bool IsMultipleOf(int tile) => Value > 0 && Value % tile == 0;
    }

    /// <summary>An operand of the product: element (outer, k) lives at <c>Outer(outer) + K(k)</c>.</summary>
    private sealed record Operand(string Prefix, string Pointer, Axis Outer, Axis K)
    {
        // Threads walk the contiguous index, so a warp's loads coalesce.
        public bool KContiguous => K.IsContiguous;
    }

    /// <summary><c>C[M, N] = A[M, K] · B[K, N]</c>; output element (row, column) lives at <c>OutputRows(row) + OutputColumns(column)</c>.</summary>
    private sealed record TiledProduct(Extent M, Extent N, Extent K, Operand A, Operand B, Axis OutputRows, Axis OutputColumns);

    private sealed class Tile
    {
        public string[,] Accumulators { get; } = new string[RegisterBlock, RegisterBlock];

        public string[] Rows { get; } = new string[RegisterBlock];

        public string[] Columns { get; } = new string[RegisterBlock];

        public string[] RowInRange { get; } = new string[RegisterBlock];

        public string[] ColumnInRange { get; } = new string[RegisterBlock];

        public string[] RowOffsets { get; } = new string[RegisterBlock];

        public string[] ColumnOffsets { get; } = new string[RegisterBlock];
    }

    private sealed class LoadPlan(Operand operand)
    {
        public Operand Operand { get; } = operand;

        public string KLocal { get; set; } = "";

        public string Store { get; set; } = "";

        public string[] OuterOffsets { get; } = new string[RegisterBlock];

        public string[] OuterInRange { get; } = new string[RegisterBlock];

        public int[] KSteps { get; } = new int[RegisterBlock];

        public int[] StoreOffsets { get; } = new int[RegisterBlock];
    }

    /// <summary>
    /// Emits the tiled product: per stage, each thread stages 4 elements of A and of B into shared memory (zero outside
    /// the matrices), then 16 rank-1 updates of its 4x4 register block. Returns the accumulators and output coordinates.
    /// </summary>
    private static Tile EmitProduct(PtxKernelBuilder kernel, TiledProduct g)
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

        LoadPlan planA = EmitLoadSetup(kernel, g.A, g.M, tid, tx, ty, rowBase, sharedA);
        LoadPlan planB = EmitLoadSetup(kernel, g.B, g.N, tid, tx, ty, columnBase, sharedB);
        string readA = kernel.U32("a_read");
        string readB = kernel.U32("b_read");
        w.Line($"mad.lo.u32 {readA}, {ty}, 4, {sharedA};");
        w.Line($"mad.lo.u32 {readB}, {tx}, 4, {sharedB};");

        var tile = new Tile();
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
        // An empty reduction (batch 0 never launches, but K could be 0 only then) would still stage once: harmless, all zero.
        w.Line();
        w.Label("K_LOOP");
        w.Comment($"Stage a {TileK}-deep slice of A and B into shared memory, zero-filled outside the matrices.");
        EmitLoadStage(kernel, planA, g.K, kBase);
        EmitLoadStage(kernel, planB, g.K, kBase);
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

        w.Line($"bar.sync 0;");
        w.Line($"add.u32 {kBase}, {kBase}, {TileK};");
        w.Line($"setp.lt.u32 {more}, {kBase}, {g.K.Operand};");
        w.Line($"@{more} bra K_LOOP;");

        w.Line();
        w.Comment($"Output coordinates of the register block and their memory offsets.");
        for (int r = 0; r < RegisterBlock; r++)
        {
            string row = kernel.U32(Name("row", r));
            w.Line($"add.u32 {row}, {rowBase}, {ty};");
            w.Line($"add.u32 {row}, {row}, {ThreadsPerSide * r};");
            tile.Rows[r] = row;
            tile.RowInRange[r] = kernel.Pred(Name("row_ok", r));
            w.Line($"setp.lt.u32 {tile.RowInRange[r]}, {row}, {g.M.Operand};");
            tile.RowOffsets[r] = kernel.U32(Name("row_offset", r));
            g.OutputRows.Emit(kernel, tile.RowOffsets[r], row, "out");
        }

        for (int c = 0; c < RegisterBlock; c++)
        {
            string column = kernel.U32(Name("column", c));
            w.Line($"add.u32 {column}, {columnBase}, {tx};");
            w.Line($"add.u32 {column}, {column}, {ThreadsPerSide * c};");
            tile.Columns[c] = column;
            tile.ColumnInRange[c] = kernel.Pred(Name("column_ok", c));
            w.Line($"setp.lt.u32 {tile.ColumnInRange[c]}, {column}, {g.N.Operand};");
            tile.ColumnOffsets[c] = kernel.U32(Name("column_offset", c));
            g.OutputColumns.Emit(kernel, tile.ColumnOffsets[c], column, "out");
        }

        return tile;
    }

    /// <summary>Calls <paramref name="store"/> for each of the 16 outputs with its address and in-range predicate.</summary>
    private static void EmitStores(PtxKernelBuilder kernel, Tile tile, string output, Action<int, int, string, string> store)
    {
        var w = kernel.Body;
        string index = kernel.U32("out_index");
        string address = kernel.U64("out_address");
        string inRange = kernel.Pred("out_in_range");
        for (int c = 0; c < RegisterBlock; c++)
        {
            for (int r = 0; r < RegisterBlock; r++)
            {
                w.Line($"and.pred {inRange}, {tile.RowInRange[r]}, {tile.ColumnInRange[c]};");
                w.Line($"add.u32 {index}, {tile.RowOffsets[r]}, {tile.ColumnOffsets[c]};");
                kernel.ElementAddress(address, output, index);
                store(r, c, address, inRange);
            }
        }
    }

    /// <summary>
    /// Per-thread constants for staging one operand: which (outer, k) each of its 4 loads covers, the outer offsets and
    /// range tests (fixed for the whole loop), and the shared store address ([k][outer] layout).
    /// </summary>
    private static LoadPlan EmitLoadSetup(PtxKernelBuilder kernel, Operand operand, Extent outer, string tid, string tx, string ty, string outerBase, string sharedBase)
    {
        var w = kernel.Body;
        string p = operand.Prefix;
        var plan = new LoadPlan(operand);
        w.Line();
        w.Comment($"Staging of {p.ToUpperInvariant()}: {(operand.KContiguous ? "thread loads k = tx, outer = ty + 16 r" : "thread loads outer = tid % 64, k = tid / 64 + 4 r")}.");
        string outerLocal = kernel.U32(p + "_outer_local");
        string kLocal = kernel.U32(p + "_k_local");
        string store = kernel.U32(p + "_store");
        string outerIndex = kernel.U32(p + "_outer");
        if (operand.KContiguous)
        {
            w.Line($"mov.u32 {outerLocal}, {ty};");
            w.Line($"mov.u32 {kLocal}, {tx};");
        }
        else
        {
            w.Line($"and.b32 {outerLocal}, {tid}, {Tile64 - 1};");
            w.Line($"shr.u32 {kLocal}, {tid}, 6;");
        }

        w.Line($"mad.lo.u32 {store}, {kLocal}, {SharedStride}, {outerLocal};");
        w.Line($"mad.lo.u32 {store}, {store}, 4, {sharedBase};");
        plan.Store = store;
        plan.KLocal = kLocal;
        for (int r = 0; r < RegisterBlock; r++)
        {
            int outerStep = operand.KContiguous ? ThreadsPerSide * r : 0;
            int kStep = operand.KContiguous ? 0 : 4 * r;
            plan.KSteps[r] = kStep;
            plan.StoreOffsets[r] = (kStep * SharedStride + outerStep) * 4;
            if (operand.KContiguous || r == 0)
            {
                w.Line($"add.u32 {outerIndex}, {outerBase}, {outerLocal};");
                if (outerStep > 0)
                {
                    w.Line($"add.u32 {outerIndex}, {outerIndex}, {outerStep};");
                }

                plan.OuterInRange[r] = kernel.Pred(Name(p + "_outer_ok", r));
                w.Line($"setp.lt.u32 {plan.OuterInRange[r]}, {outerIndex}, {outer.Operand};");
                plan.OuterOffsets[r] = kernel.U32(Name(p + "_outer_offset", r));
                operand.Outer.Emit(kernel, plan.OuterOffsets[r], outerIndex, p);
            }
            else
            {
                // Outer-contiguous loads share one outer index; only k differs.
                plan.OuterInRange[r] = plan.OuterInRange[0];
                plan.OuterOffsets[r] = plan.OuterOffsets[0];
            }
        }

        return plan;
    }

    private static void EmitLoadStage(PtxKernelBuilder kernel, LoadPlan plan, Extent k, string kBase)
    {
        var w = kernel.Body;
        string p = plan.Operand.Prefix;
        string value = kernel.F32(p + "_value");
        string kIndex = kernel.U32(p + "_k");
        string kOffset = kernel.U32(p + "_k_offset");
        string kOk = kernel.Pred(p + "_k_ok");
        string loadOk = kernel.Pred(p + "_load_ok");
        string index = kernel.U32(p + "_index");
        string address = kernel.U64(p + "_address");
        for (int r = 0; r < RegisterBlock; r++)
        {
            if (!plan.Operand.KContiguous || r == 0)
            {
                w.Line($"add.u32 {kIndex}, {kBase}, {plan.KLocal};");
                if (plan.KSteps[r] > 0)
                {
                    w.Line($"add.u32 {kIndex}, {kIndex}, {plan.KSteps[r]};");
                }

                w.Line($"setp.lt.u32 {kOk}, {kIndex}, {k.Operand};");
                plan.Operand.K.Emit(kernel, kOffset, kIndex, p + "_k");
            }

            w.Line($"and.pred {loadOk}, {plan.OuterInRange[r]}, {kOk};");
            w.Line($"add.u32 {index}, {plan.OuterOffsets[r]}, {kOffset};");
            kernel.ElementAddress(address, plan.Operand.Pointer, index);
            w.Line($"mov.f32 {value}, {PtxActivationEmitter.Zero};");
            w.Line($"@{loadOk} ld.global.nc.f32 {value}, [{address}];");
            w.Line($"st.shared.f32 [{plan.Store}+{plan.StoreOffsets[r]}], {value};");
        }
    }
}
