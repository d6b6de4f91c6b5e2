using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetCompiler.Compiler;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Generator;

/// <summary>Roslyn symbols -> <see cref="NetworkSpec"/>. The only place that reads attributes.</summary>
internal static class Parser
{
    private const string Ns = "NetCompiler.";

    /// <summary>Parses, turning an unexpected exception into an internal-error diagnostic instead of a failed generator.</summary>
    public static ParseResult SafeParse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(context, cancellationToken);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var location = LocationInfo.From(((ClassDeclarationSyntax)context.TargetNode).Identifier.GetLocation());
            var diagnostic = new DiagnosticInfo(DiagnosticIds.InternalError, location, EquatableArray.Of(type.Name, e.GetType().Name + ": " + e.Message));
            return new ParseResult(type.ToDisplayString(), null, EquatableArray.Of(diagnostic), location, EquatableArray<LocationInfo>.Empty, null, null);
        }
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (ClassDeclarationSyntax)context.TargetNode;
        var classLocation = LocationInfo.From(classSyntax.Identifier.GetLocation());
        string fullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var diagnostics = new List<DiagnosticInfo>();

        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<ClassDeclarationSyntax>().ToList();
        bool isPartial = declarations.All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool outerPartial = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
            isPartial &= outerPartial;
            containing.Insert(0, "partial " + (outer.IsRecord ? "record " : "") + (outer.TypeKind == TypeKind.Struct ? "struct " : "class ") + outer.Name);
        }
        if (!isPartial)
            diagnostics.Add(new DiagnosticInfo(DiagnosticIds.NotPartial, classLocation, EquatableArray.Of(type.Name)));

        var inputShape = new List<int>();
        int seed = 42;
        var layers = new List<LayerSpec>();
        var layerLocations = new List<LocationInfo>();
        var layerOwners = new HashSet<SyntaxNode>();
        LossKind? loss = null;
        OptimizerSpec? optimizer = null;
        LocationInfo? lossLocation = null, optimizerLocation = null;

        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is null || !name.StartsWith(Ns, System.StringComparison.Ordinal)) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            var location = LocationInfo.From(syntax?.GetLocation()) ?? classLocation!;
            switch (name.Substring(Ns.Length))
            {
                case "NetworkAttribute":
                    if (attribute.ConstructorArguments.Length == 1) inputShape.AddRange(Ints(attribute.ConstructorArguments[0]));
                    if (Named(attribute, "Input") is { } input) { inputShape.Clear(); inputShape.AddRange(Ints(input)); }
                    if (Named(attribute, "Seed") is { Value: int s }) seed = s;
                    continue;
                case "LossAttribute":
                    loss = (LossKind)(int)attribute.ConstructorArguments[0].Value!;
                    lossLocation = location;
                    continue;
                case "SgdAttribute":
                case "AdagradAttribute":
                case "AdamAttribute":
                    optimizer = Optimizer(attribute, name.Substring(Ns.Length));
                    optimizerLocation = location;
                    continue;
            }
            if (Layer(attribute, name.Substring(Ns.Length)) is { } layer)
            {
                layers.Add(layer);
                layerLocations.Add(location);
                if (syntax?.FirstAncestorOrSelf<ClassDeclarationSyntax>() is { } owner) layerOwners.Add(owner);
            }
        }

        if (layerOwners.Count > 1)
            diagnostics.Add(new DiagnosticInfo(DiagnosticIds.LayersInSeveralParts, classLocation, EquatableArray.Of(type.Name)));

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var spec = diagnostics.Count > 0 ? null : new NetworkSpec(
            ns,
            type.Name,
            type.DeclaredAccessibility.ToString(),
            containing.ToEquatableArray(),
            inputShape.ToEquatableArray(),
            layers.ToEquatableArray(),
            loss,
            optimizer,
            seed);
        return new ParseResult(fullName, spec, diagnostics.ToEquatableArray(), classLocation, layerLocations.ToEquatableArray(), lossLocation, optimizerLocation);
    }

    private static LayerSpec? Layer(AttributeData a, string name)
    {
        string? layerName = Named(a, "Name")?.Value as string;
        return name switch
        {
            "DenseAttribute" => new LayerSpec(LayerKind.Dense, layerName, Units: (int)a.ConstructorArguments[0].Value!, Bias: Named(a, "Bias")?.Value as bool? ?? true),
            "ReLUAttribute" => Activation(ActivationKind.ReLU),
            "SigmoidAttribute" => Activation(ActivationKind.Sigmoid),
            "TanhAttribute" => Activation(ActivationKind.Tanh),
            "IdentityAttribute" => Activation(ActivationKind.Identity),
            "SoftmaxAttribute" => Activation(ActivationKind.Softmax),
            "Conv2DAttribute" => new LayerSpec(LayerKind.Conv2D, layerName, Units: Arg(0), Kernel: Arg(1),
                Stride: Int("Stride") ?? 1, Padding: Int("Padding") ?? 0, Bias: Named(a, "Bias")?.Value as bool? ?? true),
            "MaxPool2DAttribute" => new LayerSpec(LayerKind.MaxPool2D, layerName, Kernel: Arg(0), Stride: Int("Stride") ?? Arg(0)),
            "AvgPool2DAttribute" => new LayerSpec(LayerKind.AvgPool2D, layerName, Kernel: Arg(0), Stride: Int("Stride") ?? Arg(0)),
            "FlattenAttribute" => new LayerSpec(LayerKind.Flatten, layerName),
            "DropoutAttribute" => new LayerSpec(LayerKind.Dropout, layerName, Rate: a.ConstructorArguments[0].Value is float rate ? rate : float.NaN),
            _ => null,
        };

        int Arg(int index) => a.ConstructorArguments[index].Value is int value ? value : 0;
        int? Int(string argument) => Named(a, argument)?.Value as int?;

        LayerSpec Activation(ActivationKind kind) => new(LayerKind.Activation, layerName, Activation: kind);
    }

    private static OptimizerSpec Optimizer(AttributeData a, string name)
    {
        float F(string arg, float fallback) => Named(a, arg)?.Value is float f ? f : fallback;
        return name switch
        {
            "SgdAttribute" => new OptimizerSpec(OptimizerKind.Sgd, F("LearningRate", 0.01f), F("WeightDecay", 0f),
                Momentum: F("Momentum", 0f), Nesterov: Named(a, "Nesterov")?.Value as bool? ?? false),
            "AdagradAttribute" => new OptimizerSpec(OptimizerKind.Adagrad, F("LearningRate", 0.01f), F("WeightDecay", 0f), Epsilon: F("Epsilon", 1e-10f)),
            _ => new OptimizerSpec(OptimizerKind.Adam, F("LearningRate", 1e-3f), F("WeightDecay", 0f),
                Beta1: F("Beta1", 0.9f), Beta2: F("Beta2", 0.999f), Epsilon: F("Epsilon", 1e-8f)),
        };
    }

    private static TypedConstant? Named(AttributeData a, string name)
    {
        foreach (var pair in a.NamedArguments)
            if (pair.Key == name) return pair.Value;
        return null;
    }

    private static IEnumerable<int> Ints(TypedConstant value) =>
        value.Kind == TypedConstantKind.Array ? value.Values.Select(v => v.Value is int i ? i : 0) : ImmutableArray<int>.Empty;
}
