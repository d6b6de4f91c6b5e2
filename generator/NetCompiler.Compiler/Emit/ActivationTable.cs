using System;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.Emit;

/// <summary>
/// The elementwise primitives as table rows: the forward in scalar and vector form, and the derivative written through
/// the output (<c>y</c>) and incoming gradient (<c>g</c>) in scalar and vector form. <c>V</c> in a vector form is replaced
/// by the tier's class name.
/// </summary>
internal sealed record ActivationRow(
    ActivationKind Kind,
    string ScalarForward,
    string VectorForward,
    string ScalarBackward,
    string VectorBackward);

internal static class ActivationTable
{
    private static readonly ActivationRow[] Rows =
    {
        new(ActivationKind.Identity, "{x}", "{x}", "{g}", "{g}"),
        new(ActivationKind.ReLU, "MathF.Max({x}, 0f)", "V.Max({x}, V<float>.Zero)", "({y} > 0f ? {g} : 0f)", "V.ConditionalSelect(V.GreaterThan({y}, V<float>.Zero), {g}, V<float>.Zero)"),
        new(ActivationKind.Sigmoid, "1f / (1f + MathF.Exp(-{x}))", "global::NetCompiler.VectorMath.Sigmoid({x})", "{g} * {y} * (1f - {y})", "{g} * {y} * (V<float>.One - {y})"),
        new(ActivationKind.Tanh, "MathF.Tanh({x})", "global::NetCompiler.VectorMath.Tanh({x})", "{g} * (1f - {y} * {y})", "{g} * (V<float>.One - {y} * {y})"),
    };

    public static ActivationRow Row(ActivationKind kind) =>
        Array.Find(Rows, r => r.Kind == kind) ?? throw new ArgumentException($"{kind} is not an elementwise activation.");

    public static string Forward(ActivationKind kind, string x) => Row(kind).ScalarForward.Replace("{x}", x);

    /// <summary>The activation of <paramref name="x"/>, for a tier.</summary>
    public static string Forward(ActivationKind kind, string x, VectorTier tier) =>
        (tier.IsScalar ? Row(kind).ScalarForward : ForTier(Row(kind).VectorForward, tier)).Replace("{x}", x);

    /// <summary>The derivative applied to gradient <paramref name="g"/> given output <paramref name="y"/>, for a tier.</summary>
    public static string Backward(ActivationKind kind, string g, string y, VectorTier tier) =>
        (tier.IsScalar ? Row(kind).ScalarBackward : ForTier(Row(kind).VectorBackward, tier)).Replace("{g}", g).Replace("{y}", y);

    private static string ForTier(string vectorForm, VectorTier tier) => vectorForm.Replace("V<", tier.Name + "<").Replace("V.", tier.Name + ".");
}
