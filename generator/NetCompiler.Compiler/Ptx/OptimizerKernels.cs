using System;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// In-place optimizer updates over a flat parameter buffer, one thread per parameter, matching PyTorch's
/// single-tensor update rules. The learning rate is a kernel parameter so schedules need no new PTX;
/// the other hyperparameters are compile-time constants.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>Threads per block.</summary>
    public const int BlockSize = 256;

    /// <summary>
    /// SGD: <c>g = grad + weightDecay * w; v = momentum * v + g; g = nesterov ? g + momentum * v : v; w -= lr * g</c>
    /// (without momentum: <c>w -= lr * g</c>). Parameters: <c>grad [count], learningRate, weight [count], velocity [count] (when momentum != 0)</c>.
    /// </summary>
    public static PtxKernel Sgd(string name, int count, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
    {
        PtxFormat.ValidatePositive(count, nameof(count));
        if (momentum < 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"Momentum must be non-negative, but was {Describe(momentum)}.");
        }

        if (nesterov && momentum == 0f)
        {
            throw new ArgumentException("Nesterov momentum requires momentum > 0, but momentum was 0.", nameof(nesterov));
        }

        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"SGD update of {count} parameters: momentum {Describe(momentum)}, weight decay {Describe(weightDecay)}{(nesterov ? ", nesterov" : "")}");
        string grad = kernel.PointerParameter("grad", $"[{count}]");
        string learningRate = kernel.F32Parameter("learningRate");
        string weight = kernel.PointerParameter("weight", $"[{count}] updated in place");
        string? velocity = momentum != 0f ? kernel.PointerParameter("velocity", $"[{count}] updated in place") : null;
        (string index, string g, string value, string weightAddress) = EmitLoadGradientAndWeight(kernel, grad, weight, count, weightDecay);
        var w = kernel.Body;

        if (velocity is not null)
        {
            string v = kernel.F32("v_value");
            string velocityAddress = kernel.U64("velocity_address");
            kernel.ElementAddress(velocityAddress, velocity, index);
            w.Line($"ld.global.f32 {v}, [{velocityAddress}];");
            w.Line($"fma.rn.f32 {v}, {v}, {PtxFormat.Float(momentum)}, {g};");
            w.Line($"st.global.f32 [{velocityAddress}], {v};");
            if (nesterov)
            {
                w.Line($"fma.rn.f32 {g}, {v}, {PtxFormat.Float(momentum)}, {g};");
            }
            else
            {
                w.Line($"mov.f32 {g}, {v};");
            }
        }

        string step = kernel.F32("step");
        w.Line($"neg.f32 {step}, {learningRate};");
        w.Line($"fma.rn.f32 {value}, {step}, {g}, {value};");
        w.Line($"st.global.f32 [{weightAddress}], {value};");
        w.Line($"ret;");
        return kernel.Build(Launch(name, count));
    }

    /// <summary>
    /// Adagrad: <c>g = grad + weightDecay * w; s += g^2; w -= lr * g / (sqrt(s) + epsilon)</c>; pass PyTorch's decayed
    /// rate <c>lr / (1 + (step - 1) * lrDecay)</c> as the learning rate.
    /// Parameters: <c>grad [count], learningRate, weight [count], sumSquares [count]</c>.
    /// </summary>
    public static PtxKernel Adagrad(string name, int count, float epsilon = 1e-10f, float weightDecay = 0f)
    {
        PtxFormat.ValidatePositive(count, nameof(count));
        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"Adagrad update of {count} parameters: epsilon {Describe(epsilon)}, weight decay {Describe(weightDecay)}");
        string grad = kernel.PointerParameter("grad", $"[{count}]");
        string learningRate = kernel.F32Parameter("learningRate");
        string weight = kernel.PointerParameter("weight", $"[{count}] updated in place");
        string sumSquares = kernel.PointerParameter("sumSquares", $"[{count}] updated in place");

        (string index, string g, string value, string weightAddress) = EmitLoadGradientAndWeight(kernel, grad, weight, count, weightDecay);
        var w = kernel.Body;

        string s = kernel.F32("s");
        string stateAddress = kernel.U64("state_address");
        string denominator = kernel.F32("denominator");
        string update = kernel.F32("update");
        kernel.ElementAddress(stateAddress, sumSquares, index);
        w.Line($"ld.global.f32 {s}, [{stateAddress}];");
        w.Line($"fma.rn.f32 {s}, {g}, {g}, {s};");
        w.Line($"st.global.f32 [{stateAddress}], {s};");
        w.Line($"sqrt.rn.f32 {denominator}, {s};");
        w.Line($"add.f32 {denominator}, {denominator}, {PtxFormat.Float(epsilon)};");
        w.Line($"div.rn.f32 {update}, {g}, {denominator};");
        w.Line($"neg.f32 {update}, {update};");
        w.Line($"fma.rn.f32 {value}, {learningRate}, {update}, {value};");
        w.Line($"st.global.f32 [{weightAddress}], {value};");
        w.Line($"ret;");
        return kernel.Build(Launch(name, count));
    }

    /// <summary>
    /// Adam (or AdamW with <paramref name="decoupledWeightDecay"/>): <c>m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// w -= (lr / biasCorrection1) * m / (sqrt(v) / sqrt(biasCorrection2) + epsilon)</c>, where the caller passes
    /// <c>biasCorrection1 = 1 - b1^t</c> and <c>biasCorrection2 = 1 - b2^t</c> for step t.
    /// Parameters: <c>grad [count], learningRate, biasCorrection1, biasCorrection2, weight [count], m [count], v [count]</c>.
    /// </summary>
    public static PtxKernel Adam(string name, int count, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false)
    {
        PtxFormat.ValidatePositive(count, nameof(count));
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Betas must be in [0, 1), but were ({Describe(beta1)}, {Describe(beta2)}).");
        }

        var kernel = new PtxKernelBuilder(name);
        kernel.Header($"{(decoupledWeightDecay ? "AdamW" : "Adam")} update of {count} parameters: beta1 {Describe(beta1)}, beta2 {Describe(beta2)}, epsilon {Describe(epsilon)}, weight decay {Describe(weightDecay)}");
        string grad = kernel.PointerParameter("grad", $"[{count}]");
        string learningRate = kernel.F32Parameter("learningRate");
        string biasCorrection1 = kernel.F32Parameter("biasCorrection1");
        string biasCorrection2 = kernel.F32Parameter("biasCorrection2");
        string weight = kernel.PointerParameter("weight", $"[{count}] updated in place");
        string mPointer = kernel.PointerParameter("m", $"[{count}] first moment, updated in place");
        string vPointer = kernel.PointerParameter("v", $"[{count}] second moment, updated in place");

        (string index, string g, string value, string weightAddress) = EmitLoadGradientAndWeight(kernel, grad, weight, count, decoupledWeightDecay ? 0f : weightDecay);
        var w = kernel.Body;
        if (decoupledWeightDecay && weightDecay != 0f)
        {
            string decay = kernel.F32("decay");
            w.Comment($"AdamW: w *= 1 - lr * weightDecay, before the moment update.");
            w.Line($"mul.f32 {decay}, {learningRate}, {PtxFormat.Float(-weightDecay)};");
            w.Line($"fma.rn.f32 {value}, {decay}, {value}, {value};");
        }

        string m = kernel.F32("m_value");
        string v = kernel.F32("v_value");
        string mAddress = kernel.U64("m_address");
        string vAddress = kernel.U64("v_address");
        string scaled = kernel.F32("scaled");
        kernel.ElementAddress(mAddress, mPointer, index);
        kernel.ElementAddress(vAddress, vPointer, index);
        w.Line($"ld.global.f32 {m}, [{mAddress}];");
        w.Line($"ld.global.f32 {v}, [{vAddress}];");
        w.Line($"mul.f32 {scaled}, {g}, {PtxFormat.Float(1f - beta1)};");
        w.Line($"fma.rn.f32 {m}, {m}, {PtxFormat.Float(beta1)}, {scaled};");
        w.Line($"mul.f32 {scaled}, {g}, {g};");
        w.Line($"mul.f32 {scaled}, {scaled}, {PtxFormat.Float(1f - beta2)};");
        w.Line($"fma.rn.f32 {v}, {v}, {PtxFormat.Float(beta2)}, {scaled};");
        w.Line($"st.global.f32 [{mAddress}], {m};");
        w.Line($"st.global.f32 [{vAddress}], {v};");

        string denominator = kernel.F32("denominator");
        string correction = kernel.F32("correction");
        string stepSize = kernel.F32("step_size");
        w.Line($"sqrt.rn.f32 {denominator}, {v};");
        w.Line($"sqrt.rn.f32 {correction}, {biasCorrection2};");
        w.Line($"div.rn.f32 {denominator}, {denominator}, {correction};");
        w.Line($"add.f32 {denominator}, {denominator}, {PtxFormat.Float(epsilon)};");
        w.Line($"div.rn.f32 {stepSize}, {learningRate}, {biasCorrection1};");
        w.Line($"div.rn.f32 {scaled}, {m}, {denominator};");
        w.Line($"neg.f32 {stepSize}, {stepSize};");
        w.Line($"fma.rn.f32 {value}, {stepSize}, {scaled}, {value};");
        w.Line($"st.global.f32 [{weightAddress}], {value};");
        w.Line($"ret;");
        return kernel.Build(Launch(name, count));
    }

    /// <summary>
    /// Emits this thread's parameter index and loads its gradient g (with L2 <paramref name="weightDecay"/> folded in)
    /// and weight value; the weight address is returned for the final store.
    /// </summary>
    private static (string Index, string G, string Value, string WeightAddress) EmitLoadGradientAndWeight(PtxKernelBuilder kernel, string grad, string weight, int count, float weightDecay)
    {
        var w = kernel.Body;
        string index = kernel.FlatIndex(BlockSize, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string g = kernel.F32("g");
        string value = kernel.F32("w");
        string gradAddress = kernel.U64("grad_address");
        string weightAddress = kernel.U64("weight_address");
        kernel.ElementAddress(gradAddress, grad, index);
        kernel.ElementAddress(weightAddress, weight, index);
        w.Line($"ld.global.nc.f32 {g}, [{gradAddress}];");
        w.Line($"ld.global.f32 {value}, [{weightAddress}];");
        if (weightDecay != 0f)
        {
            w.Line($"fma.rn.f32 {g}, {value}, {PtxFormat.Float(weightDecay)}, {g};");
        }

        return (index, g, value, weightAddress);
    }

    private static string Describe(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static PtxLaunch Launch(string name, int count) =>
        new PtxLaunch(name, PtxGridDim.Fixed(count, BlockSize), PtxGridDim.One, BlockSize, 1, 0);
}
