using System.Collections.Generic;
using System.Linq;
using NetCompiler.Compiler.IR;

namespace NetCompiler.Compiler.Passes;

/// <summary>Where a tensor lives in the activation arena. Offsets and sizes are per sample: multiply by the batch capacity.</summary>
public sealed record ArenaSlot(int Tensor, int Offset, int Size, int FirstNode, int LastNode);

/// <summary>A parameter tensor's place in the flat parameter buffer (the gradient buffer has the same layout).</summary>
public sealed record ParameterSlot(int Parameter, int Offset, int Size);

/// <summary>The compile-time memory layout of a network.</summary>
public sealed record MemoryPlan(
    EquatableArray<ParameterSlot> Parameters,
    int ParameterCount,
    EquatableArray<ArenaSlot> Arena,
    int ArenaSizePerSample)
{
    public ArenaSlot SlotOf(int tensor) => Arena.First(s => s.Tensor == tensor);

    public ParameterSlot Of(int parameter) => Parameters[parameter];
}

/// <summary>
/// Lays out parameters in state-dict order and packs the activations and gradients into one arena by liveness
/// (first fit over the execution order): a tensor's region is reused once its last reader has run.
/// Activations read by backward stay live until then, because backward nodes are in the same order.
/// A view (Flatten) gets no region of its own: its slot repeats the region of the tensor it reinterprets.
/// </summary>
internal static class MemoryPlanner
{
    public static MemoryPlan Run(Graph graph)
    {
        var parameters = new List<ParameterSlot>();
        int offset = 0;
        foreach (var p in graph.Parameters)
        {
            parameters.Add(new ParameterSlot(p.Id, offset, p.Size));
            offset += p.Size;
        }

        var first = new Dictionary<int, int>();
        var last = new Dictionary<int, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            // A view's output lives in its input's region, so that region stays live while either is used.
            foreach (int t in node.Outputs.Concat(node.Inputs).Select(graph.Storage))
            {
                if (graph.Tensors[t].Kind is TensorKind.Input or TensorKind.Target) continue;
                if (!first.ContainsKey(t)) first[t] = i;
                last[t] = i;
            }
        }

        var live = new List<ArenaSlot>();
        var slots = new List<ArenaSlot>();
        int arenaSize = 0;
        foreach (int t in first.Keys.OrderBy(t => first[t]).ThenBy(t => t))
        {
            int size = graph.Tensors[t].Size;
            live.RemoveAll(s => s.LastNode < first[t]);
            int at = 0;
            foreach (var s in live.OrderBy(s => s.Offset))
            {
                if (at + size <= s.Offset) break;
                at = System.Math.Max(at, s.Offset + s.Size);
            }
            var slot = new ArenaSlot(t, at, size, first[t], last[t]);
            live.Add(slot);
            slots.Add(slot);
            arenaSize = System.Math.Max(arenaSize, at + size);
        }

        foreach (var node in graph.Nodes.Where(n => n.IsView))
        {
            int view = node.Outputs[0], storage = graph.Storage(view);
            if (slots.FirstOrDefault(s => s.Tensor == storage) is { } region)
                slots.Add(region with { Tensor = view });
        }

        return new MemoryPlan(parameters.ToEquatableArray(), offset, slots.ToEquatableArray(), arenaSize);
    }
}
