using TorchSharp;
using Xunit;

namespace NetCompiler.Oracle.Tests;

public class LoadTests
{
    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3 });
        Assert.Equal(14f, a.dot(a).item<float>());
    }
}
