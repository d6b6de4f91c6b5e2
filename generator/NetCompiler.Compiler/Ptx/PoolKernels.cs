using System;

namespace NetCompiler.Compiler.Ptx;

/// <summary>The compile-time geometry of one pooling layer (per sample, NCHW, no padding), as the PTX kernels see it.</summary>
public sealed record PtxPoolShape(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth, int Kernel, int Stride)
{
    /// <summary>Elements of one input sample.</summary>
    public int InSize => Channels * InHeight * InWidth;

    /// <summary>Elements of one output sample.</summary>
    public int OutSize => Channels * OutHeight * OutWidth;

    /// <summary>The most windows that cover one input element along an axis.</summary>
    public int WindowsPerAxis => (Kernel + Stride - 1) / Stride;

    internal string Describe() => FormattableString.Invariant(
        $"[{Channels}, {InHeight}, {InWidth}] -> [{Channels}, {OutHeight}, {OutWidth}], kernel {Kernel}, stride {Stride}");
}

/// <summary>
/// Max and average pooling, one thread per element. Forward reads each window in row-major order, as the C# kernels do.
/// Backward gathers instead of scattering: each input element visits the windows that cover it in increasing
/// <c>(oy, ox)</c>, the order in which the C# kernel adds to it, so no atomics are needed and the sums agree bit for bit.
/// Max pooling's backward finds each window's first maximum again (a NaN wins, as in PyTorch) instead of storing indices.
/// </summary>
public static class PoolKernels
{
    /// <summary>Threads per block.</summary>
    public const int BlockSize = 256;

    /// <summary>Parameters: <c>x [batch, C, InH, InW], batch, y [batch, C, OutH, OutW]</c>.</summary>
    public static PtxKernel MaxForward(string name, PtxPoolShape p) => Forward(name, p, max: true);

    /// <summary>Parameters: <c>x [batch, C, InH, InW], batch, y [batch, C, OutH, OutW]</c>.</summary>
    public static PtxKernel AvgForward(string name, PtxPoolShape p) => Forward(name, p, max: false);

    /// <summary>
    /// <c>dX[e] = Σ dY[w]</c> over the windows <c>w</c> whose first maximum is <c>e</c>, times <paramref name="inputActivation"/>'s
    /// derivative from its saved output (which is <c>x</c> itself).
    /// Parameters: <c>dY [batch, C, OutH, OutW], x [batch, C, InH, InW], batch, dX [batch, C, InH, InW]</c>.
    /// </summary>
    public static PtxKernel MaxBackward(string name, PtxPoolShape p, PtxActivation inputActivation) => Backward(name, p, max: true, inputActivation);

    /// <summary>
    /// <c>dX[e] = Σ dY[w] / k²</c> over the windows <c>w</c> that cover <c>e</c>, times <paramref name="inputActivation"/>'s derivative.
    /// Parameters: <c>dY [batch, C, OutH, OutW], x [batch, C, InH, InW] (unless identity), batch, dX [batch, C, InH, InW]</c>.
    /// </summary>
    public static PtxKernel AvgBackward(string name, PtxPoolShape p, PtxActivation inputActivation) => Backward(name, p, max: false, inputActivation);

    private static PtxKernel Forward(string name, PtxPoolShape p, bool max)
    {
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"{(max ? "max" : "average")} pool forward: {p.Describe()}");
        string x = kernel.PointerParameter("x", $"[batch, {p.Channels}, {p.InHeight}, {p.InWidth}]");
        string batch = kernel.U32Parameter("batch");
        string y = kernel.PointerParameter("y", $"[batch, {p.Channels}, {p.OutHeight}, {p.OutWidth}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, p.OutSize);
        var w = kernel.Body;
        string plane = kernel.U32("plane");
        string oy = kernel.U32("oy");
        string ox = kernel.U32("ox");
        string origin = kernel.U32("origin");
        string address = kernel.U64("address");
        string best = kernel.F32("best");
        string value = kernel.F32("value");

        w.Comment($"index = (plane, oy, ox); the window starts at (oy s, ox s) of the plane.");
        w.Line($"div.u32 {plane}, {index}, {p.OutHeight * p.OutWidth};");
        w.Line($"rem.u32 {ox}, {index}, {p.OutHeight * p.OutWidth};");
        w.Line($"div.u32 {oy}, {ox}, {p.OutWidth};");
        w.Line($"rem.u32 {ox}, {ox}, {p.OutWidth};");
        w.Line($"mul.lo.u32 {origin}, {plane}, {p.InHeight * p.InWidth};");
        w.Line($"mad.lo.u32 {origin}, {oy}, {p.Stride * p.InWidth}, {origin};");
        w.Line($"mad.lo.u32 {origin}, {ox}, {p.Stride}, {origin};");
        kernel.ElementAddress(address, x, origin);
        if (max)
        {
            string take = kernel.Pred("take");
            string isNaN = kernel.Pred("is_nan");
            w.Line($"ld.global.nc.f32 {best}, [{address}];");
            for (int ky = 0; ky < p.Kernel; ky++)
            {
                for (int kx = 0; kx < p.Kernel; kx++)
                {
                    if (ky == 0 && kx == 0)
                    {
                        continue;
                    }

                    // v > best or v is NaN: once a NaN is taken nothing compares greater, and a later NaN keeps a NaN.
                    w.Line($"ld.global.nc.f32 {value}, [{address}+{(ky * p.InWidth + kx) * 4}];");
                    w.Line($"setp.gt.f32 {take}, {value}, {best};");
                    w.Line($"setp.nan.f32 {isNaN}, {value}, {value};");
                    w.Line($"or.pred {take}, {take}, {isNaN};");
                    w.Line($"selp.f32 {best}, {value}, {best}, {take};");
                }
            }
        }
        else
        {
            w.Line($"mov.f32 {best}, {PtxActivationEmitter.Zero};");
            for (int ky = 0; ky < p.Kernel; ky++)
            {
                for (int kx = 0; kx < p.Kernel; kx++)
                {
                    w.Line($"ld.global.nc.f32 {value}, [{address}+{(ky * p.InWidth + kx) * 4}];");
                    w.Line($"add.rn.f32 {best}, {best}, {value};");
                }
            }

            w.Line($"mul.rn.f32 {best}, {best}, {PtxFormat.Float(1f / (p.Kernel * p.Kernel))};");
        }

        kernel.ElementAddress(address, y, index);
        w.Line($"st.global.f32 [{address}], {best};");
        w.Line($"ret;");
        return kernel.Build(ElementwiseKernels.Launch(name, p.OutSize));
    }

    private static PtxKernel Backward(string name, PtxPoolShape p, bool max, PtxActivation inputActivation)
    {
        bool readsX = max || inputActivation != PtxActivation.Identity;
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"{(max ? "max" : "average")} pool backward (gather): {p.Describe()}{(inputActivation != PtxActivation.Identity ? $", then .* {PtxActivationEmitter.Describe(inputActivation)}'(x)" : "")}");
        string dY = kernel.PointerParameter("dY", $"[batch, {p.Channels}, {p.OutHeight}, {p.OutWidth}]");
        string? x = readsX ? kernel.PointerParameter("x", $"[batch, {p.Channels}, {p.InHeight}, {p.InWidth}]") : null;
        string batch = kernel.U32Parameter("batch");
        string dX = kernel.PointerParameter("dX", $"[batch, {p.Channels}, {p.InHeight}, {p.InWidth}]");
        string index = ElementwiseKernels.EmitIndex(kernel, batch, p.InSize);
        var w = kernel.Body;
        string plane = kernel.U32("plane");
        string iy = kernel.U32("iy");
        string ix = kernel.U32("ix");
        string oyLow = kernel.U32("oy_low");
        string oxLow = kernel.U32("ox_low");
        string oyHigh = kernel.U32("oy_high");
        string oxHigh = kernel.U32("ox_high");
        string oy = kernel.U32("oy");
        string ox = kernel.U32("ox");
        string valid = kernel.Pred("valid");
        string validX = kernel.Pred("valid_x");
        string sum = kernel.F32("sum");
        string gradient = kernel.F32("gradient");
        string address = kernel.U64("address");
        string offset = kernel.U32("window_offset");

        w.Comment($"index = (plane, iy, ix); windows oy in [oy_low, oy_high] cover iy (likewise x).");
        w.Line($"div.u32 {plane}, {index}, {p.InHeight * p.InWidth};");
        w.Line($"rem.u32 {ix}, {index}, {p.InHeight * p.InWidth};");
        w.Line($"div.u32 {iy}, {ix}, {p.InWidth};");
        w.Line($"rem.u32 {ix}, {ix}, {p.InWidth};");
        EmitWindowRange(kernel, iy, oyLow, oyHigh, p.Kernel, p.Stride, p.OutHeight);
        EmitWindowRange(kernel, ix, oxLow, oxHigh, p.Kernel, p.Stride, p.OutWidth);
        w.Line($"mov.f32 {sum}, {PtxActivationEmitter.Zero};");

        string? planeX = null, windowX = null, bestValue = null, bestOffset = null, value = null, take = null, isNaN = null, bestIsNumber = null, mine = null;
        if (max)
        {
            planeX = kernel.U32("plane_x");
            windowX = kernel.U64("window_x");
            bestValue = kernel.F32("best_value");
            bestOffset = kernel.U32("best_offset");
            value = kernel.F32("value");
            take = kernel.Pred("take");
            isNaN = kernel.Pred("is_nan");
            bestIsNumber = kernel.Pred("best_is_number");
            mine = kernel.U32("mine");
            w.Line($"mul.lo.u32 {planeX}, {plane}, {p.InHeight * p.InWidth};");
        }

        string scale = PtxFormat.Float(1f / (p.Kernel * p.Kernel));
        int windows = p.WindowsPerAxis;
        for (int dy = 0; dy < windows; dy++)
        {
            for (int dx = 0; dx < windows; dx++)
            {
                string skip = FormattableString.Invariant($"SKIP_{dy}_{dx}");
                w.Line($"add.u32 {oy}, {oyLow}, {dy};");
                w.Line($"add.u32 {ox}, {oxLow}, {dx};");
                w.Line($"setp.le.u32 {valid}, {oy}, {oyHigh};");
                w.Line($"setp.le.u32 {validX}, {ox}, {oxHigh};");
                w.Line($"and.pred {valid}, {valid}, {validX};");
                w.Line($"@!{valid} bra {skip};");
                w.Line($"mad.lo.u32 {offset}, {plane}, {p.OutHeight}, {oy};");
                w.Line($"mad.lo.u32 {offset}, {offset}, {p.OutWidth}, {ox};");
                kernel.ElementAddress(address, dY, offset);
                w.Line($"ld.global.nc.f32 {gradient}, [{address}];");
                if (max)
                {
                    w.Comment($"First maximum of window (oy, ox): strictly greater wins, a NaN only over a number.");
                    w.Line($"mad.lo.u32 {offset}, {oy}, {p.Stride * p.InWidth}, {planeX};");
                    w.Line($"mad.lo.u32 {offset}, {ox}, {p.Stride}, {offset};");
                    kernel.ElementAddress(windowX!, x!, offset);
                    w.Line($"ld.global.nc.f32 {bestValue}, [{windowX}];");
                    w.Line($"mov.u32 {bestOffset}, 0;");
                    for (int ky = 0; ky < p.Kernel; ky++)
                    {
                        for (int kx = 0; kx < p.Kernel; kx++)
                        {
                            if (ky == 0 && kx == 0)
                            {
                                continue;
                            }

                            int at = ky * p.InWidth + kx;
                            w.Line($"ld.global.nc.f32 {value}, [{windowX}+{at * 4}];");
                            w.Line($"setp.gt.f32 {take}, {value}, {bestValue};");
                            w.Line($"setp.nan.f32 {isNaN}, {value}, {value};");
                            w.Line($"setp.num.f32 {bestIsNumber}, {bestValue}, {bestValue};");
                            w.Line($"and.pred {isNaN}, {isNaN}, {bestIsNumber};");
                            w.Line($"or.pred {take}, {take}, {isNaN};");
                            w.Line($"selp.f32 {bestValue}, {value}, {bestValue}, {take};");
                            w.Line($"selp.u32 {bestOffset}, {at}, {bestOffset}, {take};");
                        }
                    }

                    // This element's offset in the window: (iy - oy s) InW + (ix - ox s).
                    w.Line($"mul.lo.u32 {mine}, {oy}, {p.Stride};");
                    w.Line($"sub.u32 {mine}, {iy}, {mine};");
                    w.Line($"mul.lo.u32 {mine}, {mine}, {p.InWidth};");
                    w.Line($"add.u32 {mine}, {mine}, {ix};");
                    w.Line($"mad.lo.u32 {offset}, {ox}, {p.Stride}, {bestOffset};");
                    w.Line($"setp.ne.u32 {take}, {mine}, {offset};");
                    w.Line($"@{take} bra {skip};");
                    w.Line($"add.rn.f32 {sum}, {sum}, {gradient};");
                }
                else
                {
                    w.Line($"mul.rn.f32 {gradient}, {gradient}, {scale};");
                    w.Line($"add.rn.f32 {sum}, {sum}, {gradient};");
                }

                w.Label(skip);
            }
        }

        ElementwiseKernels.EmitGradientStore(kernel, sum, inputActivation != PtxActivation.Identity ? x : null, inputActivation, index, dX);
        return kernel.Build(ElementwiseKernels.Launch(name, p.InSize));
    }

    // Windows o with o s <= i <= o s + k - 1 and o < limit: o in [max(0, ceil((i - k + 1) / s)), min(i / s, limit - 1)].
    private static void EmitWindowRange(PtxKernelBuilder kernel, string i, string low, string high, int size, int stride, int limit)
    {
        var w = kernel.Body;
        string shifted = kernel.U32("shifted");
        string positive = kernel.Pred("positive");
        w.Line($"add.u32 {shifted}, {i}, {stride};");
        w.Line($"setp.ge.u32 {positive}, {shifted}, {size};");
        w.Line($"sub.u32 {shifted}, {shifted}, {size};");
        w.Line($"div.u32 {low}, {shifted}, {stride};");
        w.Line($"selp.u32 {low}, {low}, 0, {positive};");
        w.Line($"div.u32 {high}, {i}, {stride};");
        w.Line($"min.u32 {high}, {high}, {limit - 1};");
    }
}
