using System;
using NetCompiler.Compiler.Emit;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler;

/// <summary>A generated source file.</summary>
public sealed record GeneratedFile(string HintName, string Text);

/// <summary>What compiling one network produced: files, or errors (never both); NC2xxx information may accompany files.</summary>
public sealed record CompileResult(EquatableArray<GeneratedFile> Files, EquatableArray<CompileError> Errors);

/// <summary>The compile stage: spec -> graph -> passes -> emitters. Pure: no Roslyn, no I/O, deterministic.</summary>
public static class NetworkCompiler
{
    /// <summary>The lowered, differentiated, fused and verified graph with its memory plan.</summary>
    public static (Graph Graph, MemoryPlan Plan) Plan(NetworkSpec spec)
    {
        var graph = Verifier.Run(Lowering.Run(spec), nameof(Lowering));
        graph = Verifier.Run(Autodiff.Run(graph), nameof(Autodiff));
        graph = Verifier.Run(Fusion.Run(graph), nameof(Fusion));
        return (graph, MemoryPlanner.Run(graph));
    }

    public static CompileResult Compile(NetworkSpec spec) => Compile(spec, TargetProfile.Default);

    public static CompileResult Compile(NetworkSpec spec, TargetProfile profile)
    {
        try
        {
            var (graph, plan) = Plan(spec);
            string text = new CSharpEmitter(spec, graph, plan, profile).Emit();
            var (gpuFile, gpuInfo) = PtxHostEmitter.TryEmit(spec, graph, plan);
            return new CompileResult(
                gpuFile is null ? EquatableArray.Of(new GeneratedFile(spec.FullName + ".g.cs", text)) : EquatableArray.Of(new GeneratedFile(spec.FullName + ".g.cs", text), gpuFile),
                gpuInfo is null ? EquatableArray<CompileError>.Empty : EquatableArray.Of(gpuInfo));
        }
        catch (CompileErrorException e)
        {
            return new CompileResult(EquatableArray<GeneratedFile>.Empty, EquatableArray.Of(e.Error));
        }
        catch (Exception e)
        {
            // A compiler bug must surface as a diagnostic, never as a silently missing class.
            return new CompileResult(EquatableArray<GeneratedFile>.Empty, EquatableArray.Of(
                CompileError.Create(DiagnosticIds.InternalError, Lowering.ClassLocation, spec.ClassName, e.GetType().Name + ": " + e.Message)));
        }
    }
}
