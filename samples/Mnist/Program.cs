// Trains a classifier on MNIST-10k (8,000 training / 2,000 test digits, shipped in samples/data) or on the full
// MNIST when --data points at its IDX files. The last line is machine-readable: "test accuracy: 0.xxxx".
using System.Diagnostics;
using System.Globalization;
using NetCompiler;
using NetCompiler.Data;
using NetCompiler.Training;

var options = Options.Parse(args);
if (options is null) return 2;

var (train, test) = Mnist.Load(options.Data);
Console.WriteLine($"data: {train.Count:N0} training and {test.Count:N0} test images from {options.Data}");

ILabelTrainable network = options.Model switch
{
    "mlp" => new MnistMlp(options.BatchSize, options.Seed),
    "lenet" => new LeNet5(options.BatchSize, options.Seed),
    _ => throw new InvalidOperationException("unreachable"),
};
if (options.LearningRate is { } lr) network.LearningRate = lr;
if (options.Threads is { } threads) network.Threads = threads;
Console.WriteLine($"model: {options.Model}, {network.Parameters.Length:N0} parameters; {options.Epochs} epochs, batch {options.BatchSize}, learning rate {network.LearningRate.ToString(CultureInfo.InvariantCulture)}, {options.Schedule}, seed {options.Seed}, {network.Threads} thread{(network.Threads == 1 ? "" : "s")}");

var trainer = new Trainer
{
    Epochs = options.Epochs,
    BatchSize = options.BatchSize,
    Seed = options.Seed,
    Schedule = options.Schedule,
    AugmentShift = options.Shift ?? (options.Model == "lenet" ? 1 : 0),
    CheckpointPath = options.Checkpoint,
};
var clock = Stopwatch.StartNew();
var history = trainer.Fit(network, train, test);
Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F1} s");
if (options.Checkpoint is not null) Console.WriteLine($"checkpoint: {options.Checkpoint}");
Console.WriteLine($"test accuracy: {Evaluate.Accuracy(network, test).ToString("F4", CultureInfo.InvariantCulture)}");
return 0;

internal sealed record Options(string Model, int Epochs, int BatchSize, int Seed, float? LearningRate, LearningRateSchedule Schedule, int? Shift, string Data, string? Checkpoint, int? Threads)
{
    private const string Usage = """
        usage: Mnist [--model lenet|mlp] [--epochs N] [--batch N] [--seed N] [--lr X] [--schedule constant|cosine|step]
                     [--shift PIXELS] [--data DIR] [--checkpoint FILE] [--threads 1|2]
        """;

    public static Options? Parse(string[] args)
    {
        var o = new Options("lenet", 15, 32, 1, null, LearningRateSchedule.Cosine(), null, Path.Combine(AppContext.BaseDirectory, "data"), null, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--model" => o with { Model = Next() switch { "mlp" => "mlp", "lenet" => "lenet", var m => throw new ArgumentException($"unknown model '{m}' (lenet, mlp)") } },
                    "--epochs" => o with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--batch" => o with { BatchSize = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--lr" => o with { LearningRate = float.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--schedule" => o with { Schedule = Next() switch
                    {
                        "constant" => LearningRateSchedule.Constant,
                        "cosine" => LearningRateSchedule.Cosine(),
                        "step" => LearningRateSchedule.Step(5, 0.3f),
                        var s => throw new ArgumentException($"unknown schedule '{s}' (constant, cosine, step)"),
                    } },
                    "--shift" => o with { Shift = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--data" => o with { Data = Next() },
                    "--checkpoint" => o with { Checkpoint = Next() },
                    "--threads" => o with { Threads = Next() switch { "1" => 1, "2" => 2, var t => throw new ArgumentException($"--threads is 1 or 2, not '{t}'") } },
                    "-h" or "--help" => throw new ArgumentException(""),
                    var a => throw new ArgumentException($"unknown option '{a}'"),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return null;
            }
        }
        return o;
    }
}
