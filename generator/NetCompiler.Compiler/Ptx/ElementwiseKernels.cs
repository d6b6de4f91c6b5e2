namespace NetCompiler.Compiler.Ptx;

/// <summary>Elementwise activation kernels over a [batch, features] tensor, one thread per element.</summary>
public static class ElementwiseKernels
{
    /// <summary>Threads per block: 8 warps, enough to hide memory latency on a bandwidth-bound kernel.</summary>
    public const int BlockSize = 256;

    /// <summary>
    /// <c>y = activation(x)</c>. Parameters: <c>x [batch, features], batch, y [batch, features]</c>.
    /// </summary>
    public static PtxKernel ActivationForward(string name, int features, PtxActivation activation)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"activation forward: y[batch, {features}] = {PtxActivationEmitter.Describe(activation)}(x[batch, {features}])");
        string x = kernel.PointerParameter("x", $"[batch, {features}]");
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {features}]");

        string index = EmitIndex(kernel, batch, features);
        string address = kernel.U64("address");
        string value = kernel.F32("value");
        var w = kernel.Body;
        kernel.ElementAddress(address, x, index);
        w.Line($"ld.global.nc.f32 {value}, [{address}];");
        PtxActivationEmitter.Forward(kernel, activation, value, value);
        kernel.ElementAddress(address, y, index);
        w.Line($"st.global.f32 [{address}], {value};");
        w.Line($"ret;");
        return kernel.Build(Launch(name, features));
    }

    /// <summary>
    /// <c>dX = dY * activation'(x)</c>, the derivative computed from the saved output y.
    /// Parameters: <c>dY [batch, features], y [batch, features], batch, dX [batch, features]</c>.
    /// </summary>
    public static PtxKernel ActivationBackward(string name, int features, PtxActivation activation)
    {
        PtxFormat.ValidatePositive(features, nameof(features));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"activation backward: dX[batch, {features}] = dY[batch, {features}] .* {PtxActivationEmitter.Describe(activation)}'(from y[batch, {features}])");
        string dY = kernel.PointerParameter("dY", $"[batch, {features}]");
        string y = kernel.PointerParameter("y", $"[batch, {features}]");
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {features}]");

        string index = EmitIndex(kernel, batch, features);
        string address = kernel.U64("address");
        string gradient = kernel.F32("gradient");
        kernel.ElementAddress(address, dY, index);
        kernel.Body.Line($"ld.global.nc.f32 {gradient}, [{address}];");
        EmitGradientStore(kernel, gradient, y, activation, index, dX);
        return kernel.Build(Launch(name, features));
    }

    /// <summary>Emits the flat element index and returns early for threads past <c>batch * features</c>.</summary>
    internal static string EmitIndex(PtxKernelBuilder kernel, string batch, int features)
    {
        string count = kernel.U32("count");
        kernel.Body.Line($"mul.lo.u32 {count}, {batch}, {features};");
        return kernel.FlatIndex(BlockSize, count);
    }

    /// <summary>
    /// Multiplies <paramref name="gradient"/> by <paramref name="activation"/>'s derivative, computed from the activation's
    /// saved output at <paramref name="index"/> of <paramref name="output"/> (null: no activation), stores it at
    /// <paramref name="index"/> of <paramref name="dX"/> and returns.
    /// </summary>
    internal static void EmitGradientStore(PtxKernelBuilder kernel, string gradient, string? output, PtxActivation activation, string index, string dX)
    {
        var w = kernel.Body;
        string address = kernel.U64("address");
        if (output is not null)
        {
            string saved = kernel.F32("saved");
            kernel.ElementAddress(address, output, index);
            w.Line($"ld.global.nc.f32 {saved}, [{address}];");
            PtxActivationEmitter.MultiplyByDerivative(kernel, activation, gradient, gradient, saved);
        }

        kernel.ElementAddress(address, dX, index);
        w.Line($"st.global.f32 [{address}], {gradient};");
        w.Line($"ret;");
    }

    /// <summary>One thread per element of <c>[batch, itemsPerSample]</c>.</summary>
    internal static PtxLaunch Launch(string name, int itemsPerSample) =>
        new PtxLaunch(name, PtxGridDim.PerBatch(itemsPerSample, BlockSize), PtxGridDim.One, BlockSize, 1, 0);
}
