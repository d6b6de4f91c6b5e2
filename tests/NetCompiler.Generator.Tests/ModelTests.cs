using System.Reflection;
using Microsoft.CodeAnalysis;
using NetCompiler.Compiler;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Generator.Tests;

/// <summary>
/// The pipeline's models must be plain values: a Roslyn symbol, node, tree, compilation, semantic model or location
/// reachable from them would pin a compilation in the cache and break equality-based caching.
/// </summary>
public sealed class ModelTests
{
    private static readonly Type[] Forbidden =
        [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location)];

    private const string Sources =
        """
        using NetCompiler;

        namespace Models;

        [Network(Input = [4])]
        [Dense(8, Name = "hidden"), ReLU]
        [Dense(3)]
        [Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
        public partial class Valid;

        [Network(Input = [4])]
        [Dense(1)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        public partial class GraphError;

        [Network(Input = [4])]
        [Dense(1)]
        public class DeclarationError;
        """;

    [Fact]
    public void ModelTypes_HaveNoRoslynObjectFields()
    {
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        foreach (var root in new[] { typeof(ParseResult), typeof(NetworkSpec), typeof(CompileResult) })
            CheckType(root, root.Name, seen, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(typeof(LocationInfo), seen);
        Assert.Contains(typeof(LayerSpec), seen);
        Assert.Contains(typeof(CompileError), seen);
    }

    [Fact]
    public void PipelineOutputs_ReachNoRoslynObjects()
    {
        var run = GeneratorHarness.Run(Sources);
        Assert.Equal(2, run.Diagnostics.Length);

        var walker = new ModelWalker();
        foreach (var step in new[] { NetworkGenerator.Steps.Parse, NetworkGenerator.Steps.Spec, NetworkGenerator.Steps.Compile })
            foreach (var output in run.Result.TrackedSteps[step].SelectMany(s => s.Outputs))
                walker.Walk(output.Value, step);

        Assert.True(walker.Problems.Count == 0, string.Join("\n", walker.Problems));
        // The walk must actually have reached every kind of model, with and without errors.
        foreach (var type in new[] { typeof(ParseResult), typeof(NetworkSpec), typeof(CompileResult), typeof(LayerSpec), typeof(OptimizerSpec),
                     typeof(DiagnosticInfo), typeof(LocationInfo), typeof(CompileError), typeof(GeneratedFile) })
            Assert.True(walker.Visited.Contains(type), $"The walk never reached a {type.Name}; visited: {string.Join(", ", walker.Visited.Select(t => t.Name))}.");
    }

    [Fact]
    public void Walker_FindsRoslynObjectsNestedInValues()
    {
        var tree = GeneratorHarness.Parse("class C { }");
        var walker = new ModelWalker();

        walker.Walk(new object[] { 1, ("name", new[] { tree.GetRoot().GetLocation() }) }, "probe");
        walker.Walk(EquatableArray.Of("a", "b"), "clean");

        var problem = Assert.Single(walker.Problems);
        Assert.Contains("probe", problem);
        Assert.Contains(nameof(Location), problem);
    }

    private static void CheckType(Type type, string path, HashSet<Type> seen, List<string> problems)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)) return;
        if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } forbidden)
        {
            problems.Add($"{path}: {type.Name} is a {forbidden.Name}");
            return;
        }
        if (type == typeof(object) || type.IsInterface || (type.IsAbstract && !type.IsSealed))
        {
            problems.Add($"{path}: {type.Name} can hold anything; model fields need concrete types");
            return;
        }
        if (!seen.Add(type)) return;
        if (type.IsArray)
        {
            CheckType(type.GetElementType()!, path + "[]", seen, problems);
            return;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            CheckType(underlying, path, seen, problems);
            return;
        }
        foreach (var field in AllFields(type))
            CheckType(field.FieldType, path + "." + field.Name, seen, problems);
    }

    internal static IEnumerable<FieldInfo> AllFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
    }

    /// <summary>Walks an object graph through every instance field (records keep their properties in fields).</summary>
    private sealed class ModelWalker
    {
        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

        public List<string> Problems { get; } = [];

        public HashSet<Type> Visited { get; } = [];

        public void Walk(object? value, string path)
        {
            if (value is null) return;
            var type = value.GetType();
            if (type.IsPrimitive || type.IsEnum || value is string or decimal) return;
            if (Forbidden.FirstOrDefault(f => f.IsInstanceOfType(value)) is { } forbidden)
            {
                Problems.Add($"{path}: reaches a {forbidden.Name} ({type.Name})");
                return;
            }
            if (!type.IsValueType && !_seen.Add(value)) return;
            Visited.Add(type);
            if (value is Array array)
            {
                int i = 0;
                foreach (object? item in array) Walk(item, $"{path}[{i++}]");
                return;
            }
            foreach (var field in AllFields(type))
                Walk(field.GetValue(value), path + "." + field.Name);
        }
    }
}
