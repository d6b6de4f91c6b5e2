using System.Text.RegularExpressions;
using NetCompiler.Data;
using NetCompiler.IO;
using NetCompiler.Runtime.Tests.Data;
using NetCompiler.Training;
using Xunit;

namespace NetCompiler.Runtime.Tests.Training;

public sealed class TrainerTests
{
    /// <summary>Three Gaussian blobs in 4 dimensions: linearly separable, so softmax regression learns them.</summary>
    private static Dataset Blobs(int count, int seed)
    {
        var random = new Random(seed);
        float[][] centres = [[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]];
        float[] features = new float[count * 4];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(3);
            labels[i] = label;
            for (int f = 0; f < 4; f++)
            {
                double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                features[i * 4 + f] = centres[label][f] + (float)(0.5 * gaussian);
            }
        }

        return new Dataset(features, labels, [4]);
    }

    [Fact]
    public void ReducesTheLossAndReportsEachEpoch()
    {
        var network = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 32, seed: 1);
        var output = new StringWriter();
        var trainer = new Trainer { Epochs = 5, BatchSize = 16, Seed = 7, LearningRate = 0.2f, Output = output };

        TrainingHistory history = trainer.Fit(network, Blobs(400, seed: 1), Blobs(200, seed: 2));

        Assert.Equal(5, history.Count);
        Assert.Equal([1, 2, 3, 4, 5], history.Select(r => r.Epoch));
        Assert.True(history.Last.TrainLoss < history[0].TrainLoss * 0.5f, $"loss went from {history[0].TrainLoss} to {history.Last.TrainLoss}");
        Assert.True(history[0].TrainLoss > 0.3f, $"first-epoch loss {history[0].TrainLoss} is suspiciously low");
        Assert.InRange(history.Last.TestAccuracy!.Value, 0.95f, 1f);
        Assert.All(history, r => Assert.True(r.SamplesPerSecond > 0 && r.Seconds >= 0));
        Assert.Equal(5 * 25, network.Step); // 400 / 16 steps per epoch
        Assert.Equal(NetworkMode.Inference, network.Mode);
    }

    [Fact]
    public void StepsInTrainingModeAndEvaluatesInInferenceMode()
    {
        var network = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 8);
        new Trainer { Epochs = 2, BatchSize = 8, Output = TextWriter.Null }.Fit(network, Blobs(20, 1), Blobs(10, 2));

        Assert.Equal(6, network.TrainStepModes.Count); // 8 + 8 + 4 samples per epoch
        Assert.All(network.TrainStepModes, m => Assert.Equal(NetworkMode.Training, m));
        Assert.Equal(4, network.ForwardModes.Count);   // 8 + 2 test samples per epoch
        Assert.All(network.ForwardModes, m => Assert.Equal(NetworkMode.Inference, m));
    }

    [Fact]
    public void SetsTheScheduledRateBeforeEachEpoch()
    {
        var network = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 10);
        TrainingHistory history = new Trainer
        {
            Epochs = 3,
            BatchSize = 10,
            LearningRate = 0.4f,
            Schedule = LearningRateSchedule.Step(1, 0.5f),
            Output = TextWriter.Null,
        }.Fit(network, Blobs(20, 1));

        Assert.Equal([0.4f, 0.4f, 0.2f, 0.2f, 0.1f, 0.1f], network.TrainStepRates);
        Assert.Equal([0.4f, 0.2f, 0.1f], history.Select(r => r.LearningRate));
        Assert.All(history, r => Assert.Null(r.TestAccuracy));
    }

    [Fact]
    public void WithoutALearningRateTheNetworksOwnIsTheBase()
    {
        var network = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 10) { LearningRate = 0.05f };
        new Trainer { Epochs = 2, BatchSize = 10, Schedule = LearningRateSchedule.Step(1, 0.1f), Output = TextWriter.Null }.Fit(network, Blobs(10, 1));
        Assert.Equal(2, network.TrainStepRates.Count);
        Assert.Equal(0.05f, network.TrainStepRates[0]);
        Assert.Equal(0.005f, network.TrainStepRates[1], 6);
    }

    [Fact]
    public void WritesACheckpointAtTheEndOfEachEpoch()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        var network = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 10);
        var epochsOnDisk = new List<string?>();
        network.BeforeTrainStep = step =>
        {
            if (step % 3 == 0) // first step of each epoch: 30 samples / 10 per batch
            {
                if (!File.Exists(path))
                {
                    epochsOnDisk.Add(null);
                    return;
                }

                using FileStream file = File.OpenRead(path);
                epochsOnDisk.Add(SafeTensors.ReadMetadata(file)["epoch"]);
            }
        };

        new Trainer { Epochs = 3, BatchSize = 10, CheckpointPath = path, Output = TextWriter.Null }.Fit(network, Blobs(30, 1), Blobs(10, 2));

        Assert.Equal([null, "1", "2"], epochsOnDisk);
        var restored = new SoftmaxRegression(features: 4, classes: 3, batchCapacity: 10, seed: 99);
        Checkpoint.Load(path, restored);
        Assert.Equal(network.Parameters.ToArray(), restored.Parameters.ToArray());
        using FileStream final = File.OpenRead(path);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.ReadMetadata(final);
        Assert.Equal("3", metadata["epoch"]);
        Assert.True(metadata.ContainsKey("test_accuracy"));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void RedirectedOutputGetsOnePlainLinePerEpoch()
    {
        var output = new StringWriter();
        new Trainer { Epochs = 3, BatchSize = 8, Output = output }
            .Fit(new SoftmaxRegression(4, 3, 8), Blobs(40, 1), Blobs(16, 2));

        string text = output.ToString();
        Assert.DoesNotContain('\r', text);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
            Assert.Matches(new Regex($@"^epoch {i + 1}/3  loss \d+\.\d{{4}}  test accuracy [01]\.\d{{4}}  [\d,]+ samples/s  \d+\.\d s$"), lines[i]);
    }

    [Fact]
    public void WithoutATestSetTheLineOmitsAccuracy()
    {
        var output = new StringWriter();
        new Trainer { Epochs = 1, BatchSize = 8, Output = output }.Fit(new SoftmaxRegression(4, 3, 8), Blobs(16, 1));
        Assert.Matches(new Regex(@"^epoch 1/1  loss \d+\.\d{4}  [\d,]+ samples/s  \d+\.\d s\n$"), output.ToString());
    }

    [Fact]
    public void BarModeRedrawsOneLineThenPrintsTheEpochLine()
    {
        var output = new StringWriter();
        new Trainer { Epochs = 2, BatchSize = 8, Output = output, Progress = ProgressDisplay.Bar }
            .Fit(new SoftmaxRegression(4, 3, 8), Blobs(40, 1));

        string text = output.ToString();
        Assert.Matches(new Regex(@"\repoch 1/2 \[[#.]{20}\] +\d+% loss \d+\.\d{4} [\d,]+ samples/s"), text);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < 2; i++)
        {
            string last = lines[i].Split('\r')[^1].TrimEnd();
            Assert.Matches(new Regex($@"^epoch {i + 1}/2  loss \d+\.\d{{4}}  [\d,]+ samples/s  \d+\.\d s$"), last);
        }
    }

    [Fact]
    public void ANonFiniteLossStopsTraining()
    {
        Dataset data = Blobs(16, 1);
        data.Features[5] = float.NaN;
        var network = new SoftmaxRegression(4, 3, 16);

        var ex = Assert.Throws<ArithmeticException>(() => new Trainer { Epochs = 2, BatchSize = 16, Output = TextWriter.Null }.Fit(network, data));

        Assert.Contains("The training loss is NaN at epoch 1, batch 1 of 1", ex.Message);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextStep()
    {
        using var cancellation = new CancellationTokenSource();
        var network = new SoftmaxRegression(4, 3, 4);
        network.BeforeTrainStep = step =>
        {
            if (step == 2)
                cancellation.Cancel();
        };

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer { Epochs = 3, BatchSize = 4, Output = TextWriter.Null }.Fit(network, Blobs(40, 1), cancellationToken: cancellation.Token));
        Assert.Equal(3, network.Step);
    }

    [Fact]
    public void RejectsInconsistentSettings()
    {
        var network = new SoftmaxRegression(4, 3, 8);
        Dataset data = Blobs(16, 1);

        var ex = Assert.Throws<InvalidOperationException>(() => new Trainer { BatchSize = 9, Output = TextWriter.Null }.Fit(network, data));
        Assert.Contains("BatchCapacity of 8, but it is 9", ex.Message);

        Assert.Throws<InvalidOperationException>(() => new Trainer { Epochs = 0 }.Fit(network, data));
        Assert.Throws<ArgumentException>(() => new Trainer { BatchSize = 8 }.Fit(new SoftmaxRegression(5, 3, 8), data));
    }

    [Theory]
    [InlineData(ProgressDisplay.Lines)]
    [InlineData(ProgressDisplay.Bar)]
    public void StepsDoNotAllocate(ProgressDisplay progress)
    {
        Dataset train = Blobs(600, 1), test = Blobs(100, 2);
        long Allocated(int batchSize)
        {
            var network = new SoftmaxRegression(4, 3, 64) { Record = false };
            // A writer that keeps nothing: a StringWriter's growth would depend on how often the bar was redrawn, that is on time.
            var trainer = new Trainer { Epochs = 2, BatchSize = batchSize, Output = TextWriter.Null, Progress = progress };
            return Allocations.Fewest(() => trainer.Fit(network, train, test));
        }

        Allocated(3); // warm up
        long few = Allocated(60);  // 20 steps
        long many = Allocated(2);  // 600 steps
        Assert.True(many - few < 1024, $"600 steps allocated {many} bytes, 20 steps {few}: the per-step path allocates");
    }

    [Fact]
    public void LearnsMnistDigits()
    {
        (Dataset train, Dataset test) = Mnist.Load(TestFiles.SampleData());
        var network = new SoftmaxRegression(features: 784, classes: 10, batchCapacity: 64, seed: 3);

        TrainingHistory history = new Trainer { Epochs = 2, BatchSize = 32, LearningRate = 0.1f, Seed = 1, Output = TextWriter.Null }
            .Fit(network, train, test);

        Assert.True(history.Last.TrainLoss < history[0].TrainLoss);
        Assert.InRange(history.Last.TestAccuracy!.Value, 0.85f, 1f);
    }
}
