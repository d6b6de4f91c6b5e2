using System;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.Emit;

/// <summary>
/// The elementwise primitives as table rows: scalar forward, and the derivative written through the output
/// (<c>y</c>) and incoming gradient (<c>g</c>) in scalar and vector form. <c>V</c> in a vector form is replaced by the tier's class name.
/// </summary>
internal sealed record ActivationRow(
    ActivationKind Kind,
    string ScalarForward,
    string ScalarBackward,
    string VectorBackward);

internal static class ActivationTable
{
    private static readonly ActivationRow[] Rows =
    {
        new(ActivationKind.Identity, "{x}", "{g}", "{g}"),
        new(ActivationKind.ReLU, "MathF.Max({x}, 0f)", "({y} > 0f ? {g} : 0f)", "V.ConditionalSelect(V.GreaterThan({y}, V<float>.Zero), {g}, V<float>.Zero)"),
        new(ActivationKind.Sigmoid, "1f / (1f + MathF.Exp(-{x}))", "{g} * {y} * (1f - {y})", "{g} * {y} * (V<float>.One - {y})"),
        new(ActivationKind.Tanh, "MathF.Tanh({x})", "{g} * (1f - {y} * {y})", "{g} * (V<float>.One - {y} * {y})"),
    };

    public static ActivationRow Row(ActivationKind kind) =>
        Array.Find(Rows, r => r.Kind == kind) ?? throw new ArgumentException($"{kind} is not an elementwise activation.");

    public static string Forward(ActivationKind kind, string x) => Row(kind).ScalarForward.Replace("{x}", x);

    /// <summary>The derivative applied to gradient <paramref name="g"/> given output <paramref name="y"/>, for a tier.</summary>
    public static string Backward(ActivationKind kind, string g, string y, VectorTier tier) =>
        (tier.IsScalar ? Row(kind).ScalarBackward : Row(kind).VectorBackward.Replace("V<", tier.Name + "<").Replace("V.", tier.Name + "."))
            .Replace("{g}", g).Replace("{y}", y);
}
