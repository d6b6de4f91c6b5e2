using System;
using System.Collections.Generic;
using NetCompiler.Compiler.IR;

namespace NetCompiler.Compiler.Passes;

/// <summary>Checks the graph's invariants between passes; a failure is a compiler bug, reported as an internal error.</summary>
internal static class Verifier
{
    public static Graph Run(Graph graph, string afterPass)
    {
        var written = new HashSet<int> { graph.Input };
        if (graph.Target >= 0) written.Add(graph.Target);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            foreach (int t in node.Inputs)
            {
                if (t < 0 || t >= graph.Tensors.Count) Fail(afterPass, $"node {i} ({node.Op} {node.Name}) reads unknown tensor {t}");
                if (!written.Contains(t)) Fail(afterPass, $"node {i} ({node.Op} {node.Name}) reads '{graph.Tensors[t].Name}' before it is written");
            }
            foreach (int t in node.Outputs)
                if (!written.Add(t)) Fail(afterPass, $"tensor '{graph.Tensors[t].Name}' is written twice (node {i}, {node.Op} {node.Name})");
            foreach (int p in node.Parameters)
                if (p < 0 || p >= graph.Parameters.Count) Fail(afterPass, $"node {i} ({node.Op} {node.Name}) uses unknown parameter {p}");
            if (node.Op == OpKind.Dense)
            {
                var w = graph.Parameters[node.Parameters[0]];
                int inSize = graph.Tensors[node.Inputs[0]].Size, outSize = graph.Tensors[node.Outputs[0]].Size;
                if (w.Shape[0] != outSize || w.Shape[1] != inSize)
                    Fail(afterPass, $"dense '{node.Name}' weight {w.ShapeText} does not map {inSize} to {outSize} features");
            }
        }
        if (!written.Contains(graph.Output)) Fail(afterPass, "the output tensor is never written");
        return graph;
    }

    private static void Fail(string pass, string message) =>
        throw new InvalidOperationException($"IR verification failed after {pass}: {message}.");
}
