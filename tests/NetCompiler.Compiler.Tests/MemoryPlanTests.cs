using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;
using static NetCompiler.Compiler.Tests.Specs;

namespace NetCompiler.Compiler.Tests;

/// <summary>The memory plan: live tensors never share memory, regions are reused, parameters are laid out in state-dict order.</summary>
public sealed class MemoryPlanTests
{
    public static TheoryData<string> Networks() => new(NetworkByName.Keys);

    private static readonly Dictionary<string, NetworkSpec> NetworkByName = new()
    {
        ["small MLP"] = SmallMlp(),
        ["classifier"] = Classifier(),
        ["deep MLP"] = DeepMlp(12),
        ["inference only"] = Network([10], [Dense(16), Act(ActivationKind.ReLU), Dense(8), Act(ActivationKind.Tanh), Dense(4), Act(ActivationKind.Softmax)]),
        ["perceptron"] = Network([7], [Dense(1)], LossKind.Perceptron),
        ["no bias, BCE"] = Network([9], [Dense(5, bias: false), Act(ActivationKind.Sigmoid), Dense(2), Act(ActivationKind.Sigmoid)], LossKind.BinaryCrossEntropy, Sgd()),
        ["softmax with MSE"] = Network([6], [Dense(6), Act(ActivationKind.ReLU), Dense(3), Act(ActivationKind.Softmax)], LossKind.MeanSquaredError, Sgd()),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void LiveTensors_DoNotOverlap(string name)
    {
        var (graph, plan) = NetworkCompiler.Plan(NetworkByName[name]);

        var slots = plan.Arena;
        for (int i = 0; i < slots.Count; i++)
        {
            var a = slots[i];
            Assert.True(a.Offset >= 0 && a.Size > 0 && a.Offset + a.Size <= plan.ArenaSizePerSample,
                $"{name}: '{graph.Tensor(a.Tensor).Name}' at [{a.Offset}, {a.Offset + a.Size}) is outside the arena of {plan.ArenaSizePerSample}.");
            for (int j = i + 1; j < slots.Count; j++)
            {
                var b = slots[j];
                bool liveTogether = a.FirstNode <= b.LastNode && b.FirstNode <= a.LastNode;
                bool shareMemory = a.Offset < b.Offset + b.Size && b.Offset < a.Offset + a.Size;
                Assert.False(liveTogether && shareMemory,
                    $"{name}: '{graph.Tensor(a.Tensor).Name}' (nodes {a.FirstNode}-{a.LastNode}, [{a.Offset}, {a.Offset + a.Size})) and " +
                    $"'{graph.Tensor(b.Tensor).Name}' (nodes {b.FirstNode}-{b.LastNode}, [{b.Offset}, {b.Offset + b.Size})) are live together and overlap.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Slots_CoverEveryUseOfEachTensor(string name)
    {
        var (graph, plan) = NetworkCompiler.Plan(NetworkByName[name]);

        // Live ranges recomputed here from the node list, independently of the planner.
        var uses = new Dictionary<int, (int First, int Last)>();
        for (int n = 0; n < graph.Nodes.Count; n++)
            foreach (int t in graph.Nodes[n].Inputs.Concat(graph.Nodes[n].Outputs))
                if (graph.Tensor(t).Kind is TensorKind.Activation or TensorKind.Gradient)
                    uses[t] = uses.TryGetValue(t, out var r) ? (r.First, n) : (n, n);

        Assert.Equal(uses.Keys.Order(), plan.Arena.Select(s => s.Tensor).Order());
        foreach (var slot in plan.Arena)
        {
            Assert.Equal(uses[slot.Tensor], (slot.FirstNode, slot.LastNode));
            Assert.Equal(graph.Tensor(slot.Tensor).Size, slot.Size);
        }
    }

    [Fact]
    public void DeepMlp_ReusesArenaMemory()
    {
        var (graph, plan) = NetworkCompiler.Plan(DeepMlp(20));

        int sumOfSizes = plan.Arena.Sum(s => s.Size);
        Assert.True(plan.ArenaSizePerSample < sumOfSizes, $"Arena {plan.ArenaSizePerSample} is not smaller than the sum of tensor sizes {sumOfSizes}: nothing was reused.");
        // Backward keeps every forward activation alive, but gradients are dead once consumed: two 64-wide gradients at a time, not 20.
        int activations = plan.Arena.Where(s => graph.Tensor(s.Tensor).Kind == TensorKind.Activation).Sum(s => s.Size);
        Assert.True(plan.ArenaSizePerSample <= activations + 2 * 64, $"Arena {plan.ArenaSizePerSample} exceeds activations {activations} + two gradients.");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Parameters_AreContiguousInStateDictOrder(string name)
    {
        var (graph, plan) = NetworkCompiler.Plan(NetworkByName[name]);

        Assert.Equal(graph.Parameters.Count, plan.Parameters.Count);
        int offset = 0;
        for (int i = 0; i < plan.Parameters.Count; i++)
        {
            var slot = plan.Parameters[i];
            Assert.Equal(i, slot.Parameter);
            Assert.Equal(offset, slot.Offset);
            Assert.Equal(graph.Parameters[i].Size, slot.Size);
            offset += slot.Size;
        }
        Assert.Equal(offset, plan.ParameterCount);
    }

    [Fact]
    public void Parameters_FollowLayerPositionsAndNames()
    {
        var (graph, plan) = NetworkCompiler.Plan(Network([4], [Dense(3), Act(ActivationKind.ReLU), Dense(2, "fc2", bias: false), Act(ActivationKind.Tanh), Dense(1)], LossKind.MeanSquaredError));

        Assert.Equal(
            ["0.weight@0+12", "0.bias@12+3", "fc2.weight@15+6", "4.weight@21+2", "4.bias@23+1"],
            plan.Parameters.Select(p => $"{graph.Parameters[p.Parameter].Name}@{p.Offset}+{p.Size}"));
        Assert.Equal(24, plan.ParameterCount);
    }
}
