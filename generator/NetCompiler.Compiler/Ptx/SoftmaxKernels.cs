namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// Softmax forward and backward, one warp per batch row like the per-row losses of <see cref="LossKernels"/>.
/// </summary>
public static class SoftmaxKernels
{
    /// <summary>
    /// <c>y = exp(x - max) / sum exp(x - max)</c> per row. Parameters: <c>x [batch, features], batch, y [batch, features]</c>.
    /// </summary>
    public static PtxKernel SoftmaxForward(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"softmax forward: y[batch, {features}] = softmax(x[batch, {features}]) per row");
        string x = kernel.PointerParameter("x", $"[batch, {features}]");
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {features}]");
        LossKernels.RowContext row = LossKernels.EmitRowStart(kernel, batch, features);
        var w = kernel.Body;
        string value = kernel.F32("value");
        string address = kernel.U64("address");
        string max = LossKernels.EmitRowMax(kernel, row, x, features, value, address);
        string sum = kernel.F32("row_sum");

        w.Comment($"Pass 2: y = exp(x - max), and its row sum.");
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");
        LossKernels.EmitRowLoop(kernel, row, features, "EXP", column =>
        {
            kernel.ElementAddress(address, row.RowStart(x), column);
            w.Line($"ld.global.nc.f32 {value}, [{address}];");
            w.Line($"sub.f32 {value}, {value}, {max};");
            PtxActivationEmitter.Exp(kernel, value, value);
            w.Line($"add.f32 {sum}, {sum}, {value};");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"st.global.f32 [{address}], {value};");
        });
        LossKernels.EmitWarpReduce(kernel, sum, "add.f32");

        // Each lane rescales exactly the elements it wrote, so no barrier is needed between the passes.
        w.Comment($"Pass 3: y /= sum.");
        w.Line($"rcp.rn.f32 {sum}, {sum};");
        LossKernels.EmitRowLoop(kernel, row, features, "SCALE", column =>
        {
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.f32 {value}, [{address}];");
            w.Line($"mul.f32 {value}, {value}, {sum};");
            w.Line($"st.global.f32 [{address}], {value};");
        });
        w.Line($"ret;");
        return kernel.Build(LossKernels.RowLaunch(name));
    }

    /// <summary>
    /// <c>dX = y * (dY - sum(dY * y))</c> per row. Parameters: <c>dY [batch, features], y [batch, features], batch, dX [batch, features]</c>.
    /// </summary>
    public static PtxKernel SoftmaxBackward(string name, int features)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"softmax backward: dX[batch, {features}] = y .* (dY - rowsum(dY .* y))");
        string dY = kernel.PointerParameter("dY", $"[batch, {features}]");
        string y = kernel.PointerParameter("y", $"[batch, {features}]");
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {features}]");
        LossKernels.RowContext row = LossKernels.EmitRowStart(kernel, batch, features);
        var w = kernel.Body;
        string gradient = kernel.F32("gradient");
        string output = kernel.F32("output");
        string dot = kernel.F32("dot");
        string address = kernel.U64("address");

        w.Comment($"Pass 1: dot = sum(dY * y).");
        w.Line($"mov.f32 {dot}, {PtxActivationEmitter.Zero};");
        LossKernels.EmitRowLoop(kernel, row, features, "DOT", column =>
        {
            kernel.ElementAddress(address, row.RowStart(dY), column);
            w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.nc.f32 {output}, [{address}];");
            w.Line($"fma.rn.f32 {dot}, {gradient}, {output}, {dot};");
        });
        LossKernels.EmitWarpReduce(kernel, dot, "add.f32");

        w.Comment($"Pass 2: dX = y * (dY - dot).");
        LossKernels.EmitRowLoop(kernel, row, features, "GRAD", column =>
        {
            kernel.ElementAddress(address, row.RowStart(dY), column);
            w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
            kernel.ElementAddress(address, row.RowStart(y), column);
            w.Line($"ld.global.nc.f32 {output}, [{address}];");
            w.Line($"sub.f32 {gradient}, {gradient}, {dot};");
            w.Line($"mul.f32 {gradient}, {gradient}, {output};");
            kernel.ElementAddress(address, row.RowStart(dX), column);
            w.Line($"st.global.f32 [{address}], {gradient};");
        });
        w.Line($"ret;");
        return kernel.Build(LossKernels.RowLaunch(name));
    }
}
