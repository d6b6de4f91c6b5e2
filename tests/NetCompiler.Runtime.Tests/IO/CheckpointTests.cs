using NetCompiler.IO;
using NetCompiler.Runtime.Tests.Data;
using NetCompiler.Runtime.Tests.Training;
using Xunit;

namespace NetCompiler.Runtime.Tests.IO;

public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SaveThenLoadRestoresTheParameters()
    {
        var source = new SoftmaxRegression(features: 5, classes: 3, batchCapacity: 4, seed: 1);
        var target = new SoftmaxRegression(features: 5, classes: 3, batchCapacity: 4, seed: 2);
        Assert.NotEqual(source.Parameters.ToArray(), target.Parameters.ToArray());
        string path = Path.Combine(_dir.Path, "runs", "model.safetensors");

        Checkpoint.Save(path, source, new Dictionary<string, string> { ["epoch"] = "4" });
        Checkpoint.Load(path, target);

        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        using FileStream file = File.OpenRead(path);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.ReadMetadata(file);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("4", metadata["epoch"]);
    }

    [Fact]
    public void LoadNamesTheFileAndTheMismatch()
    {
        string path = _dir.File("small.safetensors");
        Checkpoint.Save(path, new SoftmaxRegression(features: 5, classes: 3, batchCapacity: 4));
        var other = new SoftmaxRegression(features: 6, classes: 3, batchCapacity: 4);

        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, other));

        Assert.Contains(path, ex.Message);
        Assert.Contains("tensor 'fc.weight' has shape [3, 5], expected [3, 6]", ex.Message);
    }
}
