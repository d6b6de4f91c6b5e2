using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>
/// The optimizer step as one elementwise pass over the flat parameter, gradient and state buffers
/// (PyTorch torch.optim semantics; weight decay is the L2 term added to the gradient). Hyper-parameters are
/// compile-time constants except the learning rate (and Adam's bias corrections), which change at run time.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>Optimizer state buffers, each the size of the parameters.</summary>
    public static int StateBuffers(OptimizerSpec o) => o.Kind switch
    {
        OptimizerKind.Sgd => o.Momentum > 0f ? 1 : 0,
        OptimizerKind.Adagrad => 1,
        _ => 2,
    };

    public static void Emit(CodeWriter w, TargetProfile profile, string name, string[] header, OptimizerSpec o, int count)
    {
        // step size and bias corrections are computed once per step by the caller
        string parameters = "Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, float learningRate, float correction1, float correction2";
        Tiered.Emit(w, profile, name, parameters, "parameters, gradients, state, learningRate, correction1, correction2", count, header, (w, s) =>
        {
            w.Line($"const int Count = {Int(count)};");
            w.Line("ref float pRef = ref MemoryMarshal.GetReference(parameters);");
            w.Line("ref float gRef = ref MemoryMarshal.GetReference(gradients);");
            w.Line("ref float sRef = ref MemoryMarshal.GetReference(state);");
            w.Line("_ = sRef; _ = correction1; _ = correction2;");
            w.Line($"{s.Type} lr = {s.Broadcast("learningRate")};");
            w.Line("int i = 0;");
            if (!s.Tier.IsScalar)
                using (w.Block($"for (; i <= Count - {s.W}; i += {s.W})")) Update(w, s, o);
            if (s.Tier.IsScalar || count % s.W != 0)
                using (w.Block("for (; i < Count; i++)")) Update(w, new Simd(TargetProfile.Scalar), o, scalarLr: !s.Tier.IsScalar);
        });
    }

    /// <summary>
    /// The update of the <c>W</c> parameters from index <c>i</c>: reads <c>pRef</c>, <c>gRef</c> and <c>sRef</c> (state buffers
    /// of <c>Count</c> floats each), <c>lr</c> (the tier's broadcast of the step size; <c>learningRate</c> with
    /// <paramref name="scalarLr"/>) and Adam's <c>correction1</c> and <c>correction2</c>.
    /// </summary>
    public static void Update(CodeWriter w, Simd s, OptimizerSpec o, bool scalarLr = false)
    {
        string C(float v) => s.Broadcast(Float(v));
        string lr = scalarLr ? "learningRate" : "lr";
        w.Line($"{s.Type} p = {s.Load("pRef", "i")};");
        w.Line($"{s.Type} g = {s.Load("gRef", "i")};");
        if (o.WeightDecay != 0f) w.Line($"g = {s.Fma(C(o.WeightDecay), "p", "g")};");
        switch (o.Kind)
        {
            case OptimizerKind.Sgd when o.Momentum > 0f:
                w.Line($"{s.Type} v = {s.Fma(C(o.Momentum), s.Load("sRef", "i"), "g")};");
                w.Line(s.Store("v", "sRef", "i"));
                w.Line(o.Nesterov ? $"{s.Type} step = {s.Fma(C(o.Momentum), "v", "g")};" : $"{s.Type} step = v;");
                w.Line(s.Store($"p - {lr} * step", "pRef", "i"));
                break;
            case OptimizerKind.Sgd:
                w.Line(s.Store($"p - {lr} * g", "pRef", "i"));
                break;
            case OptimizerKind.Adagrad:
                w.Line($"{s.Type} sum = {s.Fma("g", "g", s.Load("sRef", "i"))};");
                w.Line(s.Store("sum", "sRef", "i"));
                w.Line(s.Store($"p - {lr} * g / ({s.Sqrt("sum")} + {C(o.Epsilon)})", "pRef", "i"));
                break;
            case OptimizerKind.Adam:
                w.Line($"{s.Type} m = {s.Fma(C(o.Beta1), s.Load("sRef", "i"), $"{C(1f - o.Beta1)} * g")};");
                w.Line($"{s.Type} v = {s.Fma(C(o.Beta2), s.Load("sRef", "Count + i"), $"{C(1f - o.Beta2)} * g * g")};");
                w.Line(s.Store("m", "sRef", "i"));
                w.Line(s.Store("v", "sRef", "Count + i"));
                w.Line("// PyTorch's form: lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps); correction1 = lr / (1 - beta1^t), correction2 = 1 / sqrt(1 - beta2^t)");
                w.Line(s.Store($"p - {s.Broadcast("correction1")} * m / ({s.Sqrt("v")} * {s.Broadcast("correction2")} + {C(o.Epsilon)})", "pRef", "i"));
                break;
        }
    }
}
