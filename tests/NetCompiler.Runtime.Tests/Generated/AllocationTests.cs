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

        long trainBytes = trainable ? Allocations.Fewest(() => { for (int i = 0; i < Calls; i++) TestData.TrainStep(network, data); }) : 0;
        long forwardBytes = Allocations.Fewest(() => { for (int i = 0; i < Calls; i++) network.Forward(data.Input, output); });

        Assert.True(trainBytes == 0, $"{name}: expected 0 bytes allocated by {Calls} TrainStep calls, but got {trainBytes}.");
        Assert.True(forwardBytes == 0, $"{name}: expected 0 bytes allocated by {Calls} Forward calls, but got {forwardBytes}.");
        if (trainable) Assert.Equal(10 + 3 * Calls, ((ITrainableNetwork)network).Step);
    }
}
