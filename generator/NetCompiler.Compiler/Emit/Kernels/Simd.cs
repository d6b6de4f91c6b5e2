using System;
using System.Collections.Generic;
using System.Linq;

namespace NetCompiler.Compiler.Emit.Kernels;

/// <summary>The expressions a kernel template needs, spelled for one tier (scalar tier: plain floats).</summary>
internal readonly struct Simd(VectorTier tier)
{
    public VectorTier Tier => tier;
    public int W => tier.Width;
    public string Type => tier.Type;
    public string Zero => tier.IsScalar ? "0f" : tier.Type + ".Zero";
    public string One => tier.IsScalar ? "1f" : tier.Type + ".One";

    public string Load(string reference, string index) =>
        tier.IsScalar ? $"Unsafe.Add(ref {reference}, {index})" : $"{tier.Name}.LoadUnsafe(ref {reference}, (nuint)({index}))";

    public string Store(string value, string reference, string index) =>
        tier.IsScalar ? $"Unsafe.Add(ref {reference}, {index}) = {value};" : $"({value}).StoreUnsafe(ref {reference}, (nuint)({index}));";

    /// <summary><c>a * b + c</c>; fused on vector tiers.</summary>
    public string Fma(string a, string b, string c) =>
        tier.IsScalar ? $"{c} + {a} * {b}" : $"{tier.Name}.FusedMultiplyAdd({a}, {b}, {c})";

    public string Broadcast(string scalar) => tier.IsScalar ? scalar : $"{tier.Name}.Create({scalar})";

    public string Sum(string vector) => tier.IsScalar ? vector : $"{tier.Name}.Sum({vector})";

    public string Max(string a, string b) => tier.IsScalar ? $"MathF.Max({a}, {b})" : $"{tier.Name}.Max({a}, {b})";

    public string Sqrt(string x) => tier.IsScalar ? $"MathF.Sqrt({x})" : $"{tier.Name}.Sqrt({x})";

    // Lane shuffles of vector tiers (constant indices, which the JIT turns into one permute).

    /// <summary>The vector with each pair of neighbouring lanes swapped.</summary>
    public string SwapPairs(string v) => Shuffle(v, i => i ^ 1);

    /// <summary>The even lanes of <paramref name="v"/>, as a vector of the half-width tier.</summary>
    public string EvenLanes(string v)
    {
        int width = W;
        return Shuffle(v, i => 2 * i % width) + ".GetLower()";
    }

    /// <summary><c>W / 2</c> values from <paramref name="reference"/>, each repeated in two neighbouring lanes.</summary>
    public string Upsample(string reference, string index) =>
        Shuffle($"{tier.Name}.Create({Half.Load(reference, index)}, {Half.Zero})", i => i / 2);

    /// <summary>All bits set in the odd lanes.</summary>
    public string OddLanes => $"{tier.Name}.Create({string.Join(", ", Enumerable.Range(0, W).Select(static i => i % 2 == 0 ? "0" : "-1"))}).AsSingle()";

    /// <summary>Lane <paramref name="lane"/> of <paramref name="v"/> in every lane.</summary>
    public string Lane(string v, int lane) => Shuffle(v, _ => lane);

    /// <summary>All bits set in the first <paramref name="count"/> lanes, clear in the others.</summary>
    public string FirstLanes(int count) => $"{tier.Name}.Create({string.Join(", ", Enumerable.Range(0, W).Select(i => i < count ? "-1" : "0"))}).AsSingle()";

    /// <summary>The vector tier of half the width (Vector64 below Vector128).</summary>
    public Simd Half => new(new VectorTier("Vector" + (W * 16), W / 2, tier.Dense));

    /// <summary>The vector whose lane <c>i</c> is lane <c>source(i)</c> of <paramref name="v"/>.</summary>
    public string Shuffle(string v, Func<int, int> source) =>
        $"{tier.Name}.Shuffle({v}, {tier.Name}.Create({string.Join(", ", Enumerable.Range(0, W).Select(source))}))";
}

/// <summary>Emits a kernel as one method per tier plus a dispatcher that the JIT folds to a single call.</summary>
internal static class Tiered
{
    /// <param name="vectorized">Length of the dimension the vector tiers vectorize; tiers wider than it are skipped.</param>
    public static void Emit(CodeWriter w, TargetProfile profile, string name, string parameters, string arguments, int vectorized, string[] header, Action<CodeWriter, Simd> body)
    {
        var tiers = profile.Tiers.Where(t => t.Width <= vectorized).Concat(new[] { TargetProfile.Scalar }).ToList();
        foreach (var line in header) w.Line("// " + line);
        w.Open($"private static void {name}({parameters})");
        for (int i = 0; i < tiers.Count; i++)
        {
            var t = tiers[i];
            string call = $"{name}{t.Suffix}({arguments});";
            if (t.IsScalar) w.Line(i == 0 ? call : "else " + call);
            else w.Line($"{(i == 0 ? "if" : "else if")} ({t.Name}.IsHardwareAccelerated) {call}");
        }
        w.Close();
        foreach (var t in tiers)
        {
            w.Line();
            w.Line(Optimized);
            w.Open($"private static void {name}{t.Suffix}({parameters})");
            body(w, new Simd(t));
            w.Close();
        }
    }

    /// <summary>
    /// The attribute of every kernel: straight to optimized code. A tier-0 kernel (accumulators on the stack) runs several
    /// times slower, and the tier-up waits for the call counting delay, which a busy machine keeps extending.
    /// </summary>
    public const string Optimized = "[MethodImpl(MethodImplOptions.AggressiveOptimization)]";

    /// <summary><c>ref float {name}Ref = ref MemoryMarshal.GetReference({name});</c> for each span.</summary>
    public static void Refs(CodeWriter w, params string[] spans)
    {
        foreach (var s in spans) w.Line($"ref float {s}Ref = ref MemoryMarshal.GetReference({s});");
    }

    public static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);
}
