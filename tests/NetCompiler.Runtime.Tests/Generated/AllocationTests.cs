using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>Forward and TrainStep run on the preallocated arena: no managed allocation per call.</summary>
public class AllocationTests
{
    private const int Calls = 100;

    public static TheoryData<string> AllCases => NetworkCases.Names();

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ForwardAndTrainStep_AllocateNothingAfterWarmUp(string name)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(8);
        var random = new Random(23);
        Batch data = TestData.CreateBatch(c.Model, 8, random);
        var output = new float[8 * network.OutputSize];
        bool trainable = c.Optimizer is not null;
        for (int i = 0; i < 10; i++)
        {
            network.Forward(data.Input, output);
            if (trainable) TestData.TrainStep(network, data);
        }

        long start = GC.GetAllocatedBytesForCurrentThread();
        if (trainable)
            for (int i = 0; i < Calls; i++) TestData.TrainStep(network, data);
        long afterTrainSteps = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++) network.Forward(data.Input, output);
        long afterForwards = GC.GetAllocatedBytesForCurrentThread();

        Assert.True(afterTrainSteps == start, $"{name}: expected 0 bytes allocated by {Calls} TrainStep calls, but got {afterTrainSteps - start}.");
        Assert.True(afterForwards == afterTrainSteps, $"{name}: expected 0 bytes allocated by {Calls} Forward calls, but got {afterForwards - afterTrainSteps}.");
        if (trainable) Assert.Equal(10 + Calls, ((ITrainableNetwork)network).Step);
    }
}
