using System.Linq;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>
/// The three products of a dense layer, forward next to backward, as register-tiled loops over compile-time
/// feature counts (the batch is the only run-time bound):
/// forward <c>y = f(x·Wᵀ + b)</c> (dot-product tiles along <c>in</c>),
/// backward-input <c>dX = (dZ·W) ⊙ f'_prev(y_prev)</c> and backward-weight <c>dW = dZᵀ·x</c>, <c>db = Σ dZ</c>
/// (both broadcast-FMA tiles along <c>in</c>, reading W and x rows contiguously).
/// </summary>
internal static class DenseKernels
{
    public static void Forward(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, bool bias, ActivationKind act)
    {
        string parameters = "int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y";
        Tiered.Emit(w, profile, name, parameters, "batch, x, weight, bias, y", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);       // [batch, In]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [Out, In]");
            if (bias) w.Line("ref float biasRef = ref MemoryMarshal.GetReference(bias);     // [Out]");
            w.Line("ref float yRef = ref MemoryMarshal.GetReference(y);       // [batch, Out]");
            int mr = profile.DenseRows, nr = profile.DenseColumns;
            w.Line("int n = 0;");
            if (mr > 1)
                using (w.Block($"for (; n <= batch - {mr}; n += {mr})")) OutputLoop(w, s, mr, nr, inF, outF, bias, act);
            using (w.Block("for (; n < batch; n++)")) OutputLoop(w, s, 1, nr, inF, outF, bias, act);
        });
    }

    private static void OutputLoop(CodeWriter w, Simd s, int rows, int nr, int inF, int outF, bool bias, ActivationKind act)
    {
        w.Line("int o = 0;");
        if (outF >= nr)
            using (w.Block($"for (; o <= Out - {nr}; o += {nr})")) ForwardTile(w, s, rows, nr, inF, bias, act);
        if (outF % nr != 0)
            using (w.Block("for (; o < Out; o++)")) ForwardTile(w, s, rows, 1, inF, bias, act);
    }

    private static void ForwardTile(CodeWriter w, Simd s, int rows, int cols, int inF, bool bias, ActivationKind act)
    {
        var rs = Tiered.Range(rows).ToArray();
        var cs = Tiered.Range(cols).ToArray();
        foreach (int r in rs) w.Line($"ref float x{r} = ref Unsafe.Add(ref xRef, (n + {r}) * In);");
        foreach (int c in cs) w.Line($"ref float w{c} = ref Unsafe.Add(ref weightRef, (o + {c}) * In);");
        bool vectorLoop = inF >= s.W;
        if (vectorLoop)
        {
            foreach (int r in rs) foreach (int c in cs) w.Line($"{s.Type} acc{r}{c} = {s.Zero};");
            w.Line("int i = 0;");
            using (w.Block($"for (; i <= In - {s.W}; i += {s.W})"))
            {
                foreach (int r in rs) w.Line($"{s.Type} xv{r} = {s.Load("x" + r, "i")};");
                foreach (int c in cs)
                {
                    w.Line($"{s.Type} wv{c} = {s.Load("w" + c, "i")};");
                    foreach (int r in rs) w.Line($"acc{r}{c} = {s.Fma($"xv{r}", $"wv{c}", $"acc{r}{c}")};");
                }
            }
            foreach (int r in rs) foreach (int c in cs) w.Line($"float sum{r}{c} = {s.Sum($"acc{r}{c}")};");
        }
        else
        {
            foreach (int r in rs) foreach (int c in cs) w.Line($"float sum{r}{c} = 0f;");
        }
        if (inF % s.W != 0 || !vectorLoop)
        {
            string start = vectorLoop ? "" : "int i = 0";
            using (w.Block($"for ({start}; i < In; i++)"))
            {
                foreach (int r in rs) w.Line($"float xs{r} = Unsafe.Add(ref x{r}, i);");
                foreach (int c in cs)
                {
                    w.Line($"float ws{c} = Unsafe.Add(ref w{c}, i);");
                    foreach (int r in rs) w.Line($"sum{r}{c} += xs{r} * ws{c};");
                }
            }
        }
        foreach (int c in cs)
        {
            string b = bias ? $" + Unsafe.Add(ref biasRef, o + {c})" : "";
            foreach (int r in rs)
                w.Line($"Unsafe.Add(ref yRef, (n + {r}) * Out + o + {c}) = {ActivationTable.Forward(act, $"(sum{r}{c}{b})")};");
        }
    }

    /// <summary><c>dX[n, i] = f'(yPrev[n, i]) · Σ_o dZ[n, o] · W[o, i]</c>, where <c>yPrev</c> is this layer's input.</summary>
    public static void BackwardInput(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, ActivationKind inputActivation)
    {
        string parameters = "int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> weight, ReadOnlySpan<float> x, Span<float> dX";
        Tiered.Emit(w, profile, name, parameters, "batch, dZ, weight, x, dX", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float dZRef = ref MemoryMarshal.GetReference(dZ);         // [batch, Out]");
            w.Line("ref float weightRef = ref MemoryMarshal.GetReference(weight); // [Out, In]");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);           // [batch, In], the previous layer's output");
            w.Line("ref float dXRef = ref MemoryMarshal.GetReference(dX);         // [batch, In]");
            int mr = profile.DenseRows;
            w.Line("int n = 0;");
            if (mr > 1)
                using (w.Block($"for (; n <= batch - {mr}; n += {mr})")) AlongInput(w, s, profile, mr, inF, (w, t, rows, nv) => BackwardInputTile(w, t, rows, nv, inputActivation));
            using (w.Block("for (; n < batch; n++)")) AlongInput(w, s, profile, 1, inF, (w, t, rows, nv) => BackwardInputTile(w, t, rows, nv, inputActivation));
        });
    }

    private static void BackwardInputTile(CodeWriter w, Simd s, int rows, int nv, ActivationKind act)
    {
        var rs = Tiered.Range(rows).ToArray();
        var ks = Tiered.Range(nv).ToArray();
        foreach (int r in rs) foreach (int k in ks) w.Line($"{s.Type} acc{r}{k} = {s.Zero};");
        using (w.Block("for (int o = 0; o < Out; o++)"))
        {
            w.Line("ref float wRow = ref Unsafe.Add(ref weightRef, o * In);");
            foreach (int r in rs) w.Line($"{s.Type} d{r} = {s.Broadcast($"Unsafe.Add(ref dZRef, (n + {r}) * Out + o)")};");
            foreach (int k in ks)
            {
                w.Line($"{s.Type} wv{k} = {s.Load("wRow", Offset("i", k, s.W))};");
                foreach (int r in rs) w.Line($"acc{r}{k} = {s.Fma($"d{r}", $"wv{k}", $"acc{r}{k}")};");
            }
        }
        foreach (int r in rs)
            foreach (int k in ks)
            {
                string at = $"(n + {r}) * In + {Offset("i", k, s.W)}";
                string value = $"acc{r}{k}";
                if (act != ActivationKind.Identity)
                {
                    w.Line($"{s.Type} y{r}{k} = {s.Load("xRef", at)};");
                    value = ActivationTable.Backward(act, value, $"y{r}{k}", s.Tier);
                }
                w.Line(s.Store(value, "dXRef", at));
            }
    }

    /// <summary><c>dW[o, i] = Σ_n dZ[n, o] · x[n, i]</c> and <c>db[o] = Σ_n dZ[n, o]</c>.</summary>
    public static void BackwardParams(CodeWriter w, TargetProfile profile, string name, string[] header, int inF, int outF, bool bias)
    {
        string parameters = "int batch, ReadOnlySpan<float> dZ, ReadOnlySpan<float> x, Span<float> dWeight, Span<float> dBias";
        Tiered.Emit(w, profile, name, parameters, "batch, dZ, x, dWeight, dBias", inF, header, (w, s) =>
        {
            w.Line($"const int In = {Int(inF)}, Out = {Int(outF)};");
            w.Line("ref float dZRef = ref MemoryMarshal.GetReference(dZ);           // [batch, Out]");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(x);             // [batch, In]");
            w.Line("ref float dWeightRef = ref MemoryMarshal.GetReference(dWeight); // [Out, In]");
            int mr = profile.DenseRows;
            w.Line("int o = 0;");
            if (mr > 1 && outF >= mr)
                using (w.Block($"for (; o <= Out - {mr}; o += {mr})")) AlongInput(w, s, profile, mr, inF, BackwardWeightTile);
            if (outF % mr != 0 || mr == 1)
                using (w.Block("for (; o < Out; o++)")) AlongInput(w, s, profile, 1, inF, BackwardWeightTile);
            if (!bias) return;
            w.Line("ref float dBiasRef = ref MemoryMarshal.GetReference(dBias);     // [Out]");
            w.Line("o = 0;");
            if (outF >= s.W && !s.Tier.IsScalar)
                using (w.Block($"for (; o <= Out - {s.W}; o += {s.W})"))
                {
                    w.Line($"{s.Type} acc = {s.Zero};");
                    w.Line($"for (int n = 0; n < batch; n++) acc += {s.Load("dZRef", "n * Out + o")};");
                    w.Line(s.Store("acc", "dBiasRef", "o"));
                }
            if (outF % s.W != 0 || s.Tier.IsScalar)
                using (w.Block("for (; o < Out; o++)"))
                {
                    w.Line("float acc = 0f;");
                    w.Line("for (int n = 0; n < batch; n++) acc += Unsafe.Add(ref dZRef, n * Out + o);");
                    w.Line("Unsafe.Add(ref dBiasRef, o) = acc;");
                }
        });
    }

    private static void BackwardWeightTile(CodeWriter w, Simd s, int rows, int nv)
    {
        var rs = Tiered.Range(rows).ToArray();
        var ks = Tiered.Range(nv).ToArray();
        foreach (int r in rs) foreach (int k in ks) w.Line($"{s.Type} acc{r}{k} = {s.Zero};");
        using (w.Block("for (int n = 0; n < batch; n++)"))
        {
            w.Line("ref float xRow = ref Unsafe.Add(ref xRef, n * In);");
            foreach (int r in rs) w.Line($"{s.Type} d{r} = {s.Broadcast($"Unsafe.Add(ref dZRef, n * Out + o + {r})")};");
            foreach (int k in ks)
            {
                w.Line($"{s.Type} xv{k} = {s.Load("xRow", Offset("i", k, s.W))};");
                foreach (int r in rs) w.Line($"acc{r}{k} = {s.Fma($"d{r}", $"xv{k}", $"acc{r}{k}")};");
            }
        }
        foreach (int r in rs)
            foreach (int k in ks)
                w.Line(s.Store($"acc{r}{k}", "dWeightRef", $"(o + {r}) * In + {Offset("i", k, s.W)}"));
    }

    /// <summary>
    /// Walks <c>i</c> over the input features in tiles of <c>nv</c> vectors, then single vectors, then a scalar tail;
    /// each loop is emitted only when the compile-time size needs it.
    /// </summary>
    private static void AlongInput(CodeWriter w, Simd s, TargetProfile profile, int rows, int inF, System.Action<CodeWriter, Simd, int, int> tile)
    {
        int nv = profile.DenseColumns;
        w.Line("int i = 0;");
        if (s.Tier.IsScalar)
        {
            using (w.Block("for (; i < In; i++)")) tile(w, s, rows, 1);
            return;
        }
        if (inF >= nv * s.W)
            using (w.Block($"for (; i <= In - {nv * s.W}; i += {nv * s.W})")) tile(w, s, rows, nv);
        if (inF % (nv * s.W) >= s.W)
            using (w.Block($"for (; i <= In - {s.W}; i += {s.W})")) tile(w, s, rows, 1);
        if (inF % s.W != 0)
            using (w.Block("for (; i < In; i++)")) tile(w, new Simd(TargetProfile.Scalar), rows, 1);
    }

    private static string Offset(string i, int k, int width) => k == 0 ? i : $"{i} + {k * width}";
}
