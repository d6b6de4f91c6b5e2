using System;

namespace NetCompiler.Compiler.Ptx;

/// <summary>Activations the PTX kernels fuse.</summary>
public enum PtxActivation
{
    /// <summary>y = x.</summary>
    Identity,

    /// <summary>y = max(x, 0).</summary>
    Relu,

    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    Sigmoid,

    /// <summary>y = tanh(x).</summary>
    Tanh,
}

/// <summary>
/// PTX for each activation and its derivative. Derivatives are written in terms of the activation's
/// output y, which backward passes already keep, so the pre-activation never needs to be stored.
/// </summary>
internal static class PtxActivationEmitter
{
    /// <summary>log2(e): exp(x) is computed as ex2(x * log2(e)).</summary>
    internal static readonly string Log2E = PtxFormat.Float(1.44269504f);

    /// <summary>ln(2): ln(x) is computed as lg2(x) * ln(2).</summary>
    internal static readonly string Ln2 = PtxFormat.Float(0.693147182f);

    internal static readonly string Zero = PtxFormat.Float(0f);
    internal static readonly string One = PtxFormat.Float(1f);
    internal static readonly string Two = PtxFormat.Float(2f);

    /// <summary>Emits <c>destination = exp(source)</c>.</summary>
    public static void Exp(PtxKernelBuilder kernel, string destination, string source)
    {
        // ex2.approx has at most 2 ulp of error, well inside the float tolerance the CPU paths use.
        kernel.Body.Line($"mul.f32 {destination}, {source}, {Log2E};");
        kernel.Body.Line($"ex2.approx.ftz.f32 {destination}, {destination};");
    }

    /// <summary>Emits <c>destination = ln(source)</c>.</summary>
    public static void Log(PtxKernelBuilder kernel, string destination, string source)
    {
        kernel.Body.Line($"lg2.approx.ftz.f32 {destination}, {source};");
        kernel.Body.Line($"mul.f32 {destination}, {destination}, {Ln2};");
    }

    /// <summary>Emits <c>destination = 1 / (1 + exp(-source))</c>.</summary>
    public static void Sigmoid(PtxKernelBuilder kernel, string destination, string source)
    {
        string e = kernel.F32("act_exp");
        kernel.Body.Line($"neg.f32 {e}, {source};");
        Exp(kernel, e, e);
        kernel.Body.Line($"add.f32 {e}, {e}, {One};");
        kernel.Body.Line($"rcp.rn.f32 {destination}, {e};");
    }

    /// <summary>Emits <c>destination = activation(source)</c>; the registers may be the same.</summary>
    public static void Forward(PtxKernelBuilder kernel, PtxActivation activation, string destination, string source)
    {
        switch (activation)
        {
            case PtxActivation.Identity:
                if (destination != source)
                {
                    kernel.Body.Line($"mov.f32 {destination}, {source};");
                }

                break;
            case PtxActivation.Relu:
                kernel.Body.Line($"max.f32 {destination}, {source}, {Zero};");
                break;
            case PtxActivation.Sigmoid:
                Sigmoid(kernel, destination, source);
                break;
            case PtxActivation.Tanh:
                // tanh(x) = 1 - 2 / (exp(2x) + 1): saturates to +-1 without overflow (exp -> inf gives 1, exp -> 0 gives -1),
                // and is more accurate than tanh.approx (about 2^-11 relative error).
                string e = kernel.F32("act_exp");
                kernel.Body.Line($"add.f32 {e}, {source}, {source};");
                Exp(kernel, e, e);
                kernel.Body.Line($"add.f32 {e}, {e}, {One};");
                kernel.Body.Line($"rcp.rn.f32 {e}, {e};");
                kernel.Body.Line($"neg.f32 {e}, {e};");
                kernel.Body.Line($"fma.rn.f32 {destination}, {e}, {Two}, {One};");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>
    /// Emits <c>destination = gradient * activation'(x)</c> where <paramref name="output"/> holds y = activation(x).
    /// Identity emits nothing when the registers are the same.
    /// </summary>
    public static void MultiplyByDerivative(PtxKernelBuilder kernel, PtxActivation activation, string destination, string gradient, string output)
    {
        switch (activation)
        {
            case PtxActivation.Identity:
                if (destination != gradient)
                {
                    kernel.Body.Line($"mov.f32 {destination}, {gradient};");
                }

                break;
            case PtxActivation.Relu:
            {
                // relu'(x) is 1 where y > 0; the subgradient at 0 is 0, as in PyTorch.
                string positive = kernel.Pred("act_positive");
                kernel.Body.Line($"setp.gt.f32 {positive}, {output}, {Zero};");
                kernel.Body.Line($"selp.f32 {destination}, {gradient}, {Zero}, {positive};");
                break;
            }

            case PtxActivation.Sigmoid:
            {
                // sigmoid' = y (1 - y)
                string d = kernel.F32("act_derivative");
                kernel.Body.Line($"sub.f32 {d}, {One}, {output};");
                kernel.Body.Line($"mul.f32 {d}, {d}, {output};");
                kernel.Body.Line($"mul.f32 {destination}, {gradient}, {d};");
                break;
            }

            case PtxActivation.Tanh:
            {
                // tanh' = 1 - y^2
                string d = kernel.F32("act_derivative");
                kernel.Body.Line($"neg.f32 {d}, {output};");
                kernel.Body.Line($"fma.rn.f32 {d}, {d}, {output}, {One};");
                kernel.Body.Line($"mul.f32 {destination}, {gradient}, {d};");
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    public static string Describe(PtxActivation activation) => activation switch
    {
        PtxActivation.Identity => "identity",
        PtxActivation.Relu => "relu",
        PtxActivation.Sigmoid => "sigmoid",
        PtxActivation.Tanh => "tanh",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
