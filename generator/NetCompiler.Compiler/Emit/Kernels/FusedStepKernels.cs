using System;
using System.Collections.Generic;
using System.Linq;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>A dense layer of a network whose train step is fused: shape, fused activation and the names of its parameter offsets.</summary>
internal sealed record FusedLayer(string Description, int In, int Out, ActivationKind Activation, string WeightOffset, string? BiasOffset);

/// <summary>
/// The train step of a small network of dense layers (XOR 2-8-1 and its like) as straight-line code, one block per tier:
/// every weight is loaded into a vector register once per step, one loop over the samples runs the whole network
/// (forward, loss, backward) with its activations and gradient sums in registers, and the gradients are stored and the
/// optimizer applied unrolled at the end. No loop over layers, no kernel calls, no arena traffic.
/// </summary>
/// <remarks>
/// Activations are vectors of a layer's features (padded lanes hold values that no later step reads). A layer keeps its
/// weights as columns (one vector of outputs per input: a broadcast and an FMA per input, no horizontal sums), except
/// a layer after the first that narrows its features by 4 or more, which keeps rows (one vector of inputs per output:
/// a horizontal sum per output, fewer than the broadcasts the columns would need). A column layer after the first also
/// keeps rows, to send its gradient back with a broadcast per output.
/// </remarks>
internal static class FusedStepKernels
{
    /// <summary>Whether a network of these layers gets the fused step under <paramref name="profile"/>.</summary>
    public static bool Fits(IReadOnlyList<FusedLayer> layers, int parameterCount, TargetProfile profile) =>
        layers.Count > 0 && parameterCount <= profile.FusedStepMaxParameters
        && layers.All(l => l.Out <= profile.FusedStepMaxWidth) && layers.Skip(1).All(l => l.In <= profile.FusedStepMaxWidth);

    /// <summary>The vector tiers of the fused step: those no wider than its widest layer (the narrowest tier at least).</summary>
    public static IEnumerable<VectorTier> Tiers(IReadOnlyList<FusedLayer> layers, TargetProfile profile)
    {
        int widest = Math.Max(layers.Max(l => l.Out), layers.Skip(1).Select(l => l.In).DefaultIfEmpty(0).Max());
        int narrowest = profile.Tiers.Min(t => t.Width);
        return profile.Tiers.Where(t => t.Width <= Math.Max(widest, narrowest));
    }

    private static bool KeepsRows(IReadOnlyList<FusedLayer> layers, int k) => k > 0 && layers[k].Out * 4 <= layers[k].In;

    /// <summary>
    /// The body of one tier's block inside TrainStep: reads <c>batch</c>, <c>input</c>, the targets or labels, the
    /// network's <c>_parameters</c>, <c>_gradients</c>, <c>_optimizerState</c> and <c>_learningRate</c>, and returns the loss.
    /// </summary>
    /// <param name="stepPrologue">Writes the optimizer's step count and bias corrections, shared with <c>Update</c>.</param>
    public static void EmitTier(CodeWriter w, Simd s, IReadOnlyList<FusedLayer> layers, LossKind loss, OptimizerSpec optimizer, int parameterCount,
        Action stepPrologue) => new Writer(w, s, layers).Emit(loss, optimizer, parameterCount, stepPrologue);

    private sealed class Writer(CodeWriter w, Simd s, IReadOnlyList<FusedLayer> layers)
    {
        private readonly string _v = s.Tier.Name;
        private int W => s.W;
        private int L => layers.Count;
        private FusedLayer Last => layers[L - 1];

        private int Chunks(int features) => (features + W - 1) / W;

        /// <summary>Lanes of chunk <paramref name="c"/> that hold features.</summary>
        private int Lanes(int features, int c) => Math.Min(W, features - c * W);

        public void Emit(LossKind loss, OptimizerSpec optimizer, int parameterCount, Action stepPrologue)
        {
            bool labels = loss == LossKind.SoftmaxCrossEntropy;
            w.Line("ref float pRef = ref MemoryMarshal.GetArrayDataReference(_parameters);");
            w.Line("ref float xRef = ref MemoryMarshal.GetReference(input);");
            w.Line(labels ? "ref int labelRef = ref MemoryMarshal.GetReference(labels);" : "ref float tRef = ref MemoryMarshal.GetReference(targets);");
            for (int k = 0; k < L; k++) LoadParameters(k);
            w.Line("double total = 0;");
            w.Line(loss switch
            {
                LossKind.SoftmaxCrossEntropy => "float scale = 1f / batch;",
                LossKind.MeanSquaredError => "float scale = 2f / (batch * OutputSize);",
                _ => "float scale = 1f / (batch * OutputSize);",
            });
            w.Line($"{s.Type} scaleV = {_v}.Create(scale);");
            using (w.Block("for (int n = 0; n < batch; n++)"))
            {
                w.Line("ref float xRow = ref Unsafe.Add(ref xRef, n * InputSize);");
                for (int k = 0; k < L; k++) Forward(k);
                Loss(loss);
                for (int k = L - 1; k >= 0; k--) Backward(k);
            }
            w.Line(labels ? "float loss = (float)(total / batch);" : "float loss = (float)(total / (batch * OutputSize));");
            using (w.Block("if (!float.IsFinite(loss))"))
            {
                w.Line("// The layer kernels recompute the activations, so that the exception names the first layer that is not finite.");
                w.Line("ForwardPass(batch, input);");
                w.Line("ThrowNonFinite(batch, loss);");
            }
            w.Line("ref float gRef = ref MemoryMarshal.GetArrayDataReference(_gradients);");
            for (int k = 0; k < L; k++) StoreGradients(k);
            stepPrologue();
            Optimizer(optimizer, parameterCount);
            w.Line("return loss;");
        }

        private void LoadParameters(int k)
        {
            var l = layers[k];
            w.Line($"// {l.Description}: [batch, {Int(l.In)}] -> [batch, {Int(l.Out)}], weights as {(KeepsRows(layers, k) ? "rows" : k > 0 ? "columns and rows" : "columns")}");
            if (!KeepsRows(layers, k))
                for (int i = 0; i < l.In; i++)
                    for (int c = 0; c < Chunks(l.Out); c++)
                    {
                        w.Line($"{s.Type} w{k}i{i}c{c} = {Gather("pRef", l.WeightOffset, c * W * l.In + i, Lanes(l.Out, c), l.In)};");
                        w.Line($"{s.Type} gw{k}i{i}c{c} = {s.Zero};");
                    }
            if (k > 0)
                for (int o = 0; o < l.Out; o++)
                    for (int c = 0; c < Chunks(l.In); c++)
                    {
                        w.Line($"{s.Type} r{k}o{o}c{c} = {Gather("pRef", l.WeightOffset, o * l.In + c * W, Lanes(l.In, c), 1)};");
                        if (KeepsRows(layers, k)) w.Line($"{s.Type} gr{k}o{o}c{c} = {s.Zero};");
                    }
            if (l.BiasOffset is { } bias)
                for (int c = 0; c < Chunks(l.Out); c++)
                {
                    w.Line($"{s.Type} b{k}c{c} = {Gather("pRef", bias, c * W, Lanes(l.Out, c), 1)};");
                    w.Line($"{s.Type} gb{k}c{c} = {s.Zero};");
                }
        }

        private void Forward(int k)
        {
            var l = layers[k];
            w.Line($"// {l.Description}");
            if (KeepsRows(layers, k))
            {
                for (int o = 0; o < l.Out; o++)
                    w.Line($"float d{k}o{o} = {_v}.Sum({Chain(Chunks(l.In), c => ($"r{k}o{o}c{c}", $"a{k - 1}c{c}"), null)});");
                for (int c = 0; c < Chunks(l.Out); c++)
                {
                    string z = FromScalars(Enumerable.Range(c * W, Lanes(l.Out, c)).Select(o => $"d{k}o{o}").ToList());
                    if (l.BiasOffset is not null) z += $" + b{k}c{c}";
                    w.Line($"{s.Type} a{k}c{c} = {ActivationTable.Forward(l.Activation, z, s.Tier)};");
                }
                return;
            }
            for (int i = 0; i < l.In; i++)
                w.Line($"{s.Type} s{k}i{i} = {(k == 0 ? $"{_v}.Create(Unsafe.Add(ref xRow, {Int(i)}))" : s.Lane($"a{k - 1}c{i / W}", i % W))};");
            for (int c = 0; c < Chunks(l.Out); c++)
            {
                int chunk = c;
                string z = Chain(l.In, i => ($"s{k}i{i}", $"w{k}i{i}c{chunk}"), l.BiasOffset is null ? null : $"b{k}c{c}");
                w.Line($"{s.Type} a{k}c{c} = {ActivationTable.Forward(l.Activation, z, s.Tier)};");
            }
        }

        /// <summary>The loss of one sample added to <c>total</c>, and its gradient with respect to the last pre-activation in <c>dz</c>.</summary>
        private void Loss(LossKind loss)
        {
            int k = L - 1, chunks = Chunks(Last.Out);
            string A(int c) => $"a{k}c{c}";
            // The lanes past the last feature, which the loss must not count.
            string Masked(string v, int c) => Lanes(Last.Out, c) == W ? v : $"{_v}.BitwiseAnd({v}, {s.FirstLanes(Lanes(Last.Out, c))})";
            string SumOver(Func<int, string> term) => $"{_v}.Sum({string.Join(" + ", Enumerable.Range(0, chunks).Select(term))})";
            w.Line($"// {loss} loss");
            if (loss == LossKind.SoftmaxCrossEntropy)
            {
                w.Line("int label = Unsafe.Add(ref labelRef, n);");
                w.Line($"{_v}<int> labelV = {_v}.Create(label);");
                for (int c = 0; c < chunks; c++)
                {
                    w.Line($"{s.Type} hit{c} = {_v}.Equals({_v}.Create({string.Join(", ", Enumerable.Range(c * W, W).Select(Int))}), labelV).AsSingle();");
                    w.Line($"{s.Type} logit{c} = {(Lanes(Last.Out, c) == W ? A(c) : $"{_v}.ConditionalSelect({s.FirstLanes(Lanes(Last.Out, c))}, {A(c)}, {_v}.Create(float.NegativeInfinity))")};");
                }
                w.Line($"{s.Type} maxV = {Enumerable.Range(1, chunks - 1).Aggregate("logit0", (m, c) => $"{_v}.Max({m}, logit{c})")};");
                for (int half = W / 2; half >= 1; half /= 2)
                {
                    int h = half;
                    w.Line($"maxV = {_v}.Max(maxV, {s.Shuffle("maxV", i => i ^ h)});");
                }
                w.Line("float max = maxV.ToScalar();");
                for (int c = 0; c < chunks; c++)
                    w.Line($"{s.Type} e{c} = {Masked($"global::NetCompiler.VectorMath.Exp(logit{c} - {_v}.Create(max))", c)};");
                w.Line($"float expSum = {SumOver(c => $"e{c}")};");
                w.Line($"total += global::NetCompiler.VectorMath.Log({_v}.Create(expSum)).ToScalar() + max - {SumOver(c => $"{_v}.ConditionalSelect(hit{c}, {A(c)}, {s.Zero})")};");
                w.Line($"{s.Type} inv = {_v}.Create(scale / expSum);");
                for (int c = 0; c < chunks; c++)
                    w.Line($"{s.Type} dz{k}c{c} = e{c} * inv - {_v}.ConditionalSelect(hit{c}, scaleV, {s.Zero});");
                return;
            }
            w.Line("ref float tRow = ref Unsafe.Add(ref tRef, n * OutputSize);");
            for (int c = 0; c < chunks; c++)
                w.Line($"{s.Type} t{c} = {Gather("tRow", null, c * W, Lanes(Last.Out, c), 1)};");
            switch (loss)
            {
                case LossKind.MeanSquaredError:
                    for (int c = 0; c < chunks; c++) w.Line($"{s.Type} diff{c} = {Masked($"{A(c)} - t{c}", c)};");
                    w.Line($"total += {SumOver(c => $"diff{c} * diff{c}")};");
                    for (int c = 0; c < chunks; c++)
                        w.Line($"{s.Type} dz{k}c{c} = {ActivationTable.Backward(Last.Activation, $"scaleV * diff{c}", A(c), s.Tier)};");
                    break;
                case LossKind.BinaryCrossEntropy:
                    // Logs clamped at -100, as PyTorch's BCELoss; the sigmoid's derivative cancels the loss's denominator.
                    for (int c = 0; c < chunks; c++)
                    {
                        w.Line($"{s.Type} logP{c} = {_v}.Max(global::NetCompiler.VectorMath.Log({A(c)}), {_v}.Create(-100f)), log1mP{c} = {_v}.Max(global::NetCompiler.VectorMath.Log({s.One} - {A(c)}), {_v}.Create(-100f));");
                        w.Line($"{s.Type} likelihood{c} = {Masked($"t{c} * logP{c} + ({s.One} - t{c}) * log1mP{c}", c)};");
                    }
                    w.Line($"total -= {SumOver(c => $"likelihood{c}")};");
                    for (int c = 0; c < chunks; c++) w.Line($"{s.Type} dz{k}c{c} = ({A(c)} - t{c}) * scaleV;");
                    break;
                case LossKind.Perceptron:
                    // Rosenblatt's rule: only a misclassified (or undecided) sample moves the weights.
                    for (int c = 0; c < chunks; c++)
                    {
                        w.Line($"{s.Type} sign{c} = t{c} * 2f - {s.One}, margin{c} = sign{c} * {A(c)};");
                        w.Line($"{s.Type} miss{c} = {Masked($"{_v}.LessThanOrEqual(margin{c}, {s.Zero})", c)};");
                    }
                    w.Line($"total -= {SumOver(c => $"{_v}.ConditionalSelect(miss{c}, margin{c}, {s.Zero})")};");
                    for (int c = 0; c < chunks; c++) w.Line($"{s.Type} dz{k}c{c} = {_v}.ConditionalSelect(miss{c}, -sign{c} * scaleV, {s.Zero});");
                    break;
            }
        }

        private void Backward(int k)
        {
            var l = layers[k];
            w.Line($"// {l.Description}, backward");
            if (k < L - 1)
                for (int c = 0; c < Chunks(l.Out); c++)
                    w.Line($"{s.Type} dz{k}c{c} = {ActivationTable.Backward(l.Activation, $"dh{k}c{c}", $"a{k}c{c}", s.Tier)};");
            if (l.BiasOffset is not null)
                for (int c = 0; c < Chunks(l.Out); c++) w.Line($"gb{k}c{c} += dz{k}c{c};");
            if (k > 0)
                for (int o = 0; o < l.Out; o++) w.Line($"{s.Type} q{k}o{o} = {s.Lane($"dz{k}c{o / W}", o % W)};");
            if (KeepsRows(layers, k))
            {
                for (int o = 0; o < l.Out; o++)
                    for (int c = 0; c < Chunks(l.In); c++)
                        w.Line($"gr{k}o{o}c{c} = {s.Fma($"q{k}o{o}", $"a{k - 1}c{c}", $"gr{k}o{o}c{c}")};");
            }
            else
            {
                for (int i = 0; i < l.In; i++)
                    for (int c = 0; c < Chunks(l.Out); c++)
                        w.Line($"gw{k}i{i}c{c} = {s.Fma($"s{k}i{i}", $"dz{k}c{c}", $"gw{k}i{i}c{c}")};");
            }
            if (k > 0)
                for (int c = 0; c < Chunks(l.In); c++)
                {
                    int chunk = c;
                    w.Line($"{s.Type} dh{k - 1}c{c} = {Chain(l.Out, o => ($"q{k}o{o}", $"r{k}o{o}c{chunk}"), null)};");
                }
        }

        private void StoreGradients(int k)
        {
            var l = layers[k];
            if (KeepsRows(layers, k))
            {
                for (int o = 0; o < l.Out; o++)
                    for (int c = 0; c < Chunks(l.In); c++) Scatter($"gr{k}o{o}c{c}", l.WeightOffset, o * l.In + c * W, Lanes(l.In, c), 1);
            }
            else
            {
                for (int i = 0; i < l.In; i++)
                    for (int c = 0; c < Chunks(l.Out); c++) Scatter($"gw{k}i{i}c{c}", l.WeightOffset, c * W * l.In + i, Lanes(l.Out, c), l.In);
            }
            if (l.BiasOffset is { } bias)
                for (int c = 0; c < Chunks(l.Out); c++) Scatter($"gb{k}c{c}", bias, c * W, Lanes(l.Out, c), 1);
        }

        /// <summary>The update of every parameter, unrolled: whole vectors, then the last few one by one.</summary>
        private void Optimizer(OptimizerSpec o, int count)
        {
            if (o.Kind == OptimizerKind.Adam) w.Line($"const int Count = {Int(count)}; // the second moments follow the first");
            if (OptimizerKernels.StateBuffers(o) > 0) w.Line("ref float sRef = ref MemoryMarshal.GetArrayDataReference(_optimizerState);");
            w.Line("float learningRate = _learningRate;");
            if (count >= W) w.Line($"{s.Type} lr = {s.Broadcast("learningRate")};");
            int i = 0;
            for (; i + W <= count; i += W)
                using (w.Block($"// parameters {Int(i)} to {Int(i + W - 1)}"))
                {
                    w.Line($"const int i = {Int(i)};");
                    OptimizerKernels.Update(w, s, o);
                }
            for (; i < count; i++)
                using (w.Block($"// parameter {Int(i)}"))
                {
                    w.Line($"const int i = {Int(i)};");
                    OptimizerKernels.Update(w, new Simd(TargetProfile.Scalar), o, scalarLr: true);
                }
        }

        /// <summary><c>first + Σ a·b</c> over <paramref name="count"/> terms as an FMA chain (the first product alone without <paramref name="first"/>).</summary>
        private string Chain(int count, Func<int, (string A, string B)> term, string? first)
        {
            string acc = first ?? $"{term(0).A} * {term(0).B}";
            for (int j = first is null ? 1 : 0; j < count; j++) acc = s.Fma(term(j).A, term(j).B, acc);
            return acc;
        }

        /// <summary>A vector of <paramref name="count"/> floats at <c>offset + first + j · stride</c> of a reference, the other lanes zero.</summary>
        private string Gather(string reference, string? offset, int first, int count, int stride)
        {
            if (stride == 1 && count == W) return s.Load(reference, Index(offset, first));
            var lanes = Enumerable.Range(0, count).Select(j => $"Unsafe.Add(ref {reference}, {Index(offset, first + j * stride)})").ToList();
            return FromScalars(lanes);
        }

        /// <summary>Stores the first <paramref name="count"/> lanes of <paramref name="value"/> at <c>offset + first + j · stride</c> of <c>gRef</c>.</summary>
        private void Scatter(string value, string offset, int first, int count, int stride)
        {
            if (stride == 1 && count == W)
            {
                w.Line(s.Store(value, "gRef", Index(offset, first)));
                return;
            }
            for (int j = 0; j < count; j++)
                w.Line($"Unsafe.Add(ref gRef, {Index(offset, first + j * stride)}) = {value}.GetElement({Int(j)});");
        }

        /// <summary>A vector of the scalars in its first lanes, zero in the others.</summary>
        private string FromScalars(IReadOnlyList<string> scalars) => scalars.Count == 1
            ? $"{_v}.CreateScalar({scalars[0]})"
            : $"{_v}.Create({string.Join(", ", scalars.Concat(Enumerable.Repeat("0f", W - scalars.Count)))})";

        private static string Index(string? offset, int value) => offset is null ? Int(value) : value == 0 ? offset : $"{offset} + {Int(value)}";
    }
}
