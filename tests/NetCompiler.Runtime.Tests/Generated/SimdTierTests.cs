using System.Runtime.Intrinsics;
using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>
/// The generated kernels dispatch on <c>VectorXXX.IsHardwareAccelerated</c>. CI runs this suite once per tier by switching
/// instruction sets off (<c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>) and sets
/// <c>NETCOMPILER_EXPECT_TIER</c>; this test proves the switch took effect, so the other tests really ran that tier.
/// </summary>
public class SimdTierTests
{
    private const string Variable = "NETCOMPILER_EXPECT_TIER";

    private static readonly string[] s_tiers = ["Vector512", "Vector256", "Vector128", "Scalar"];

    [Fact]
    public void WidestAcceleratedTier_IsTheExpectedOne()
    {
        bool[] accelerated = [Vector512.IsHardwareAccelerated, Vector256.IsHardwareAccelerated, Vector128.IsHardwareAccelerated, true];
        string widest = s_tiers[Array.IndexOf(accelerated, true)];
        string? expected = Environment.GetEnvironmentVariable(Variable);

        if (string.IsNullOrEmpty(expected))
        {
            // Nothing requested: still, a tier must not be accelerated while a narrower one is not, or the dispatch order would be wrong.
            for (int i = 0; i + 1 < 3; i++)
                Assert.False(accelerated[i] && !accelerated[i + 1], $"{s_tiers[i]} is accelerated but {s_tiers[i + 1]} is not.");
            return;
        }
        Assert.True(Array.IndexOf(s_tiers, expected) >= 0, $"{Variable} is '{expected}'; expected one of {string.Join(", ", s_tiers)}.");
        Assert.True(expected == widest, $"{Variable} expects {expected}, but the widest accelerated tier is {widest}.");
    }
}
