using System.Collections.Generic;
using System.Linq;
using NetCompiler.Compiler.Emit.Kernels;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;
using static NetCompiler.Compiler.Emit.CodeWriter;

namespace NetCompiler.Compiler.Emit;

/// <summary>
/// Writes the partial class: constants and the memory plan, the public API (Forward, Backward, TrainStep,
/// Update, parameter views) and one tiered kernel per fused IR node, each headed by the nodes and shapes it covers.
/// </summary>
internal sealed class CSharpEmitter(NetworkSpec spec, Graph graph, MemoryPlan plan, TargetProfile profile)
{
    private readonly CodeWriter _w = new();
    private bool HasLoss => graph.Target >= 0;
    private bool HasOptimizer => spec.Optimizer is not null && HasLoss;
    private bool UsesLabels => spec.Loss == LossKind.SoftmaxCrossEntropy;
    private TensorDef Output => graph.Tensor(graph.Output);
    private string TargetParam => UsesLabels ? "labels" : "targets";
    private string TargetType => UsesLabels ? "ReadOnlySpan<int>" : "ReadOnlySpan<float>";
    private bool HasDropout => graph.Nodes.Any(n => n.Op == OpKind.Dropout);
    private List<Node>? _packedLayers;

    /// <summary>Forward dense nodes whose weights also live in packed panels (<see cref="DenseKernels.UsesPackedPanels"/>).</summary>
    private List<Node> PackedLayers => _packedLayers ??= graph.Nodes.Take(graph.ForwardNodeCount)
        .Where(n => n.Op == OpKind.Dense && DenseKernels.UsesPackedPanels(profile, WeightOf(n).Shape[1], WeightOf(n).Shape[0], n.Activation))
        .ToList();

    private bool HasPacked => PackedLayers.Count > 0;

    private List<FusedLayer>? _fusedLayers;

    /// <summary>
    /// The layers of a network whose train step is fused into one straight-line method (<see cref="FusedStepKernels"/>):
    /// dense layers only, small enough for <see cref="TargetProfile.FusedStepMaxParameters"/>; empty for other networks.
    /// </summary>
    private List<FusedLayer> FusedLayers => _fusedLayers ??= FindFusedLayers();

    private bool HasFusedStep => FusedLayers.Count > 0;

    private List<FusedLayer> FindFusedLayers()
    {
        var forward = graph.Nodes.Take(graph.ForwardNodeCount).ToList();
        if (!HasOptimizer || CanSplit || HasPacked || forward.Any(n => n.Op != OpKind.Dense)) return new List<FusedLayer>();
        var layers = forward.Select(n => new FusedLayer($"Layer '{n.Name}', {Describe(n)}", WeightOf(n).Shape[1], WeightOf(n).Shape[0], n.Activation,
            Names.Pascal(WeightOf(n).Name) + "Offset", n.Parameters.Count > 1 ? Names.Pascal(graph.Parameters[n.Parameters[1]].Name) + "Offset" : null)).ToList();
        return FusedStepKernels.Fits(layers, plan.ParameterCount, profile) ? layers : new List<FusedLayer>();
    }

    private ParameterDef WeightOf(Node n) => graph.Parameters[n.Parameters[0]];

    public string Emit()
    {
        Header();
        _w.Line("using System;");
        _w.Line("using System.Collections.Generic;");
        _w.Line("using System.Runtime.CompilerServices;");
        _w.Line("using System.Runtime.InteropServices;");
        _w.Line("using System.Runtime.Intrinsics;");
        _w.Line("using NetCompiler;");
        _w.Line();
        if (spec.Namespace is not null) _w.Line($"namespace {spec.Namespace};").Line();
        foreach (var outer in spec.ContainingTypes) _w.Open(outer);
        _w.Open($"partial class {spec.ClassName} : {Interface()}");
        Constants();
        Fields();
        PublicApi();
        Passes();
        SplitMembers();
        KernelMethods();
        _w.Close();
        foreach (var _ in spec.ContainingTypes) _w.Close();
        return _w.ToString();
    }

    private string Interface() =>
        (!HasOptimizer ? "global::NetCompiler.INetwork"
        : UsesLabels ? "global::NetCompiler.ILabelTrainable"
        : "global::NetCompiler.ITargetTrainable") + (CanSplit ? ", global::NetCompiler.Threading.ISplitWork" : "");

    /// <summary>
    /// Nodes that run on two threads in two-thread mode, each on half of the batch: the products, convolutions and pools
    /// with enough work per sample to pay for the hand-off (weight gradients of the second half go to a second buffer,
    /// added after the backward pass). Losses, dropout, softmax and activations run on the calling thread.
    /// </summary>
    private bool IsSplit(Node n) => n.Op switch
    {
        OpKind.MaxPool2D or OpKind.AvgPool2D or OpKind.MaxPool2DGrad or OpKind.AvgPool2DGrad => graph.Tensor(n.Outputs[0]).Size >= profile.SplitMinMacsPerSample / 16,
        _ => ProductMacsPerSample(n) >= profile.SplitMinMacsPerSample,
    };

    /// <summary>Multiply-adds per sample of a dense or convolution node's product (each of its passes has as many); 0 for other nodes.</summary>
    private long ProductMacsPerSample(Node n) => n.Op switch
    {
        OpKind.Dense or OpKind.DenseGradInput or OpKind.DenseGradParams => WeightOf(n).Size,
        OpKind.Conv2D or OpKind.Conv2DGradInput or OpKind.Conv2DGradParams => ConvShapeOf(n).MacsPerSample,
        _ => 0,
    };

    private bool CanSplit => graph.Nodes.Any(IsSplit);

    /// <summary>Multiply-adds per sample of the forward nodes that split: the compile-time choice of the default thread count.</summary>
    private long SplitMacsPerSample => graph.Nodes.Take(graph.ForwardNodeCount).Where(IsSplit).Sum(ProductMacsPerSample);

    /// <summary>The gradient buffer that <see cref="Param"/> names; the second half of a split weight gradient writes another.</summary>
    private string _gradientsBuffer = "_gradients";

    private void Header()
    {
        _w.Line("// <auto-generated/>");
        _w.Line($"// NetCompiler: {spec.FullName}, compiled from its attributes at build time.");
        _w.Line("//");
        _w.Line("// Layers");
        foreach (var n in graph.Nodes.Take(graph.ForwardNodeCount))
            _w.Line($"//   {n.Name,-10} {Describe(n),-34} {graph.Tensor(n.Inputs[0]).ShapeText} -> {graph.Tensor(n.Outputs[0]).ShapeText}");
        if (spec.Loss is { } loss) _w.Line($"//   loss       {loss}");
        if (spec.Optimizer is { } o) _w.Line($"//   optimizer  {o.Kind} (learning rate {Float(o.LearningRate)})");
        if (HasFusedStep) _w.Line($"//   train step fused: the whole network in one loop over the samples, straight-line code per tier ({Int(plan.ParameterCount)} parameters)");
        _w.Line("//");
        _w.Line("// Memory plan: parameters (the gradient buffer has the same layout)");
        _w.Line("//   name                         offset       size  shape");
        foreach (var p in plan.Parameters)
        {
            var def = graph.Parameters[p.Parameter];
            _w.Line($"//   {def.Name,-26} {p.Offset,8} {p.Size,10}  {def.ShapeText}");
        }
        _w.Line($"//   total                               {plan.ParameterCount,10}");
        _w.Line("// Activation arena: offsets and sizes per sample (multiplied by the batch capacity); a region is reused");
        _w.Line("// once the last node reading it has run.");
        _w.Line("//   tensor                       offset       size  nodes  shape");
        foreach (var s in plan.Arena)
        {
            var t = graph.Tensor(s.Tensor);
            _w.Line($"//   {t.Name,-26} {s.Offset,8} {s.Size,10}  {s.FirstNode,2}-{s.LastNode,-2}  {t.ShapeText}");
        }
        _w.Line($"//   total                               {plan.ArenaSizePerSample,10}");
        _w.Line();
        _w.Line("#nullable enable");
        _w.Line("#pragma warning disable CS1591 // the public members carry docs; kernels are private");
        _w.Line();
    }

    private string Describe(Node n) => n.Op switch
    {
        OpKind.Dense => $"Dense({graph.Parameters[n.Parameters[0]].Shape[0]})" + (n.Activation == ActivationKind.Identity ? "" : ", " + n.Activation),
        OpKind.Activation => n.Activation.ToString(),
        OpKind.Softmax => "Softmax",
        OpKind.Conv2D => $"Conv2D({graph.Parameters[n.Parameters[0]].Shape[0]}, {n.Window!.Kernel}, s {n.Window.Stride}, p {n.Window.Padding})" + (n.Activation == ActivationKind.Identity ? "" : ", " + n.Activation),
        OpKind.MaxPool2D or OpKind.AvgPool2D => $"{n.Op}({n.Window!.Kernel}, s {n.Window.Stride})",
        OpKind.Dropout => $"Dropout({Float(n.Rate)})",
        _ => n.Op.ToString(),
    };

    private void Constants()
    {
        string inShape = string.Join(", ", spec.InputShape);
        string outShape = string.Join(", ", Output.Shape);
        _w.Line($"/// <summary>Elements of one input sample, shape [{inShape}].</summary>");
        _w.Line($"public const int InputSize = {Int(graph.Tensor(graph.Input).Size)};");
        _w.Line($"/// <summary>Elements of one output sample, shape [{outShape}].</summary>");
        _w.Line($"public const int OutputSize = {Int(Output.Size)};");
        _w.Line("/// <summary>Number of trainable parameters.</summary>");
        _w.Line($"public const int ParameterCount = {Int(plan.ParameterCount)};");
        _w.Line("/// <summary>Floats of activation arena per sample of batch capacity.</summary>");
        _w.Line($"public const int ArenaSizePerSample = {Int(plan.ArenaSizePerSample)};");
        if (CanSplit)
        {
            long macs = SplitMacsPerSample;
            int threads = macs >= profile.TwoThreadMinMacsPerSample ? 2 : 1;
            _w.Line($"/// <summary>Threads a new instance uses ({Int((int)System.Math.Min(macs, int.MaxValue))} multiply-adds per sample in the layers that split; two from {Int(profile.TwoThreadMinMacsPerSample)}).</summary>");
            _w.Line($"public const int DefaultThreads = {threads};");
            _w.Line("/// <summary>Smallest batch that two threads share; smaller batches run on the calling thread.</summary>");
            _w.Line($"public const int SplitMinBatch = {Int(profile.SplitMinBatch)};");
        }
        _w.Line("/// <summary>The shape of one input sample.</summary>");
        _w.Line($"public static ReadOnlySpan<int> InputShape => [{inShape}];");
        _w.Line("/// <summary>The shape of one output sample.</summary>");
        _w.Line($"public static ReadOnlySpan<int> OutputShape => [{outShape}];");
        _w.Line();
        foreach (var p in plan.Parameters)
        {
            var def = graph.Parameters[p.Parameter];
            _w.Line($"private const int {Names.Pascal(def.Name)}Offset = {Int(p.Offset)}; // {def.Name} {def.ShapeText}");
        }
        foreach (var s in plan.Arena)
        {
            var t = graph.Tensor(s.Tensor);
            _w.Line($"private const int {TensorIdent(t)}Offset = {Int(s.Offset)}; // {t.ShapeText}");
        }
        int packedOffset = 0;
        foreach (var n in PackedLayers)
        {
            var def = WeightOf(n);
            _w.Line($"private const int {Names.Pascal(def.Name)}PackedOffset = {Int(packedOffset)}; // {def.Name} as [{Int(def.Shape[0] / profile.PanelWidth)}, {Int(def.Shape[1])}, {Int(profile.PanelWidth)}] panels");
            packedOffset += def.Size;
        }
        if (HasPacked)
        {
            _w.Line($"private const int PackedWeightCount = {Int(packedOffset)};");
            if (HasOptimizer)
            {
                _w.Line("/// <summary>Smallest batch whose large dense layers run over packed weight panels; each update repacks them.</summary>");
                _w.Line($"private const int PackedMinBatch = {Int(profile.PackedMinBatch)};");
            }
        }
        _w.Line();
        _w.Line("private static readonly ParameterInfo[] s_parameterLayout =");
        _w.Line("[");
        foreach (var p in plan.Parameters)
        {
            var def = graph.Parameters[p.Parameter];
            _w.Line($"    new(\"{def.Name}\", {Int(p.Offset)}, [{string.Join(", ", def.Shape)}]),");
        }
        _w.Line("];");
        _w.Line();
    }

    private void Fields()
    {
        int stateBuffers = HasOptimizer ? OptimizerKernels.StateBuffers(spec.Optimizer!) : 0;
        _w.Line("private readonly float[] _parameters = new float[ParameterCount];");
        _w.Line("private readonly float[] _gradients = new float[ParameterCount];");
        if (HasOptimizer) _w.Line($"private readonly float[] _optimizerState = new float[{Int(stateBuffers)} * ParameterCount];");
        _w.Line("private readonly float[] _arena;");
        _w.Line("private readonly int _capacity;");
        if (HasOptimizer)
        {
            _w.Line($"private float _learningRate = {Float(spec.Optimizer!.LearningRate)};");
            _w.Line("private long _step;");
        }
        if (HasDropout) _w.Line("private int _dropoutSeed;");
        if (HasPacked)
        {
            _w.Line("// Weights of the large dense layers copied into panels for the forward product; valid while _packedVersion equals");
            _w.Line("// _parameterVersion, which every path that hands out or writes parameters increments.");
            _w.Line("private readonly float[] _packedWeights = new float[PackedWeightCount];");
            _w.Line("private long _parameterVersion;");
            _w.Line("private long _packedVersion = -1;");
        }
        if (CanSplit)
        {
            _w.Line("// Two-thread mode: the worker thread and (training) the gradients of its half of the batch.");
            _w.Line("private global::NetCompiler.Threading.SplitWorker? _worker;");
            if (HasLoss) _w.Line("private float[]? _splitGradients;");
            _w.Line("private int _splitNode, _splitBatch;");
        }
        _w.Line();
        _w.Line($"/// <summary>Creates the network with parameters initialized from <paramref name=\"seed\"/> (He for ReLU layers, Xavier otherwise; biases zero).</summary>");
        _w.Line("/// <param name=\"batchCapacity\">The largest batch that calls will pass; the activation arena is sized for it.</param>");
        _w.Line("/// <param name=\"seed\">Seed of the initialization.</param>");
        using (_w.Block($"public {spec.ClassName}(int batchCapacity = 64, int seed = {Int(spec.Seed)})"))
        {
            _w.Line("if (batchCapacity <= 0) throw new ArgumentOutOfRangeException(nameof(batchCapacity), batchCapacity, \"The batch capacity must be at least 1.\");");
            _w.Line("_capacity = batchCapacity;");
            _w.Line("_arena = new float[ArenaSizePerSample * batchCapacity];");
            if (CanSplit) _w.Line("if (DefaultThreads > 1 && Environment.ProcessorCount > 1) Threads = DefaultThreads;");
            _w.Line("InitializeParameters(seed);");
        }
        _w.Line();
        _w.Line("/// <summary>Re-initializes every parameter from <paramref name=\"seed\"/>, deterministically.</summary>");
        using (_w.Block("public void InitializeParameters(int seed)"))
        {
            if (HasDropout) _w.Line("_dropoutSeed = seed;");
            if (HasPacked) _w.Line("_parameterVersion++;");
            foreach (var p in plan.Parameters)
            {
                var def = graph.Parameters[p.Parameter];
                string span = $"_parameters.AsSpan({Names.Pascal(def.Name)}Offset, {Int(def.Size)})";
                _w.Line(def.Init switch
                {
                    ParameterInit.Zeros => $"{span}.Clear();",
                    ParameterInit.HeUniform => $"Initializers.HeUniform({span}, fanIn: {Int(def.FanIn)}, seed, stream: {Int(def.Id)});",
                    _ => $"Initializers.XavierUniform({span}, fanIn: {Int(def.FanIn)}, fanOut: {Int(def.FanOut)}, seed, stream: {Int(def.Id)});",
                });
            }
        }
        _w.Line();
    }

    private void PublicApi()
    {
        _w.Line("int INetwork.InputSize => InputSize;");
        _w.Line("int INetwork.OutputSize => OutputSize;");
        _w.Line("/// <summary>The largest batch a call accepts.</summary>");
        _w.Line("public int BatchCapacity => _capacity;");
        _w.Line(HasDropout
            ? $"/// <summary>Training or inference behaviour. In training, dropout masks are drawn from the seed{(HasOptimizer ? " and the optimizer step, so a step's mask is reproducible" : "")}; in inference, dropout is the identity.</summary>"
            : "/// <summary>Training or inference behaviour.</summary>");
        _w.Line("public NetworkMode Mode { get; set; } = NetworkMode.Training;");
        if (HasPacked)
        {
            _w.Line("/// <summary>All parameters, flat, in the order of <see cref=\"ParameterLayout\"/>. Write through a span read after the last call");
            _w.Line("/// of this network: each read marks the packed copy of the large weights for a refresh before the next forward pass.</summary>");
            _w.Line("public Span<float> Parameters { get { _parameterVersion++; return _parameters; } }");
        }
        else
        {
            _w.Line("/// <summary>All parameters, flat, in the order of <see cref=\"ParameterLayout\"/>.</summary>");
            _w.Line("public Span<float> Parameters => _parameters;");
        }
        _w.Line("/// <summary>Gradients of the mean loss from the last <c>Backward</c> or <c>TrainStep</c>, same layout as <see cref=\"Parameters\"/>.</summary>");
        _w.Line("public Span<float> Gradients => _gradients;");
        _w.Line("/// <summary>Names (PyTorch state-dict style), offsets and shapes of the parameter tensors.</summary>");
        _w.Line("public IReadOnlyList<ParameterInfo> ParameterLayout => s_parameterLayout;");
        foreach (var p in plan.Parameters)
        {
            var def = graph.Parameters[p.Parameter];
            _w.Line($"/// <summary><c>{def.Name}</c>, shape {def.ShapeText}.</summary>");
            string view = $"_parameters.AsSpan({Names.Pascal(def.Name)}Offset, {Int(def.Size)})";
            _w.Line(HasPacked
                ? $"public Span<float> {Names.Pascal(def.Name)} {{ get {{ _parameterVersion++; return {view}; }} }}"
                : $"public Span<float> {Names.Pascal(def.Name)} => {view};");
        }
        _w.Line();

        _w.Line("/// <summary>Writes the parameters as safetensors (readable by PyTorch's <c>safetensors.torch.load_file</c>).</summary>");
        _w.Line("public void Save(System.IO.Stream destination) => global::NetCompiler.IO.SafeTensors.Write(destination, s_parameterLayout, _parameters);");
        _w.Line("/// <summary>Writes the parameters to a safetensors file atomically: a crash mid-write leaves the previous file intact.</summary>");
        _w.Line("public void Save(string path) => global::NetCompiler.IO.Checkpoint.Save(path, this);");
        _w.Line("/// <summary>Reads safetensors parameters; names, dtypes and shapes must match <see cref=\"ParameterLayout\"/>.</summary>");
        _w.Line(HasPacked
            ? "public void Load(System.IO.Stream source) { _parameterVersion++; global::NetCompiler.IO.SafeTensors.Read(source, s_parameterLayout, _parameters); }"
            : "public void Load(System.IO.Stream source) => global::NetCompiler.IO.SafeTensors.Read(source, s_parameterLayout, _parameters);");
        _w.Line("/// <summary>Reads a safetensors file saved by <see cref=\"Save(string)\"/> or by PyTorch.</summary>");
        _w.Line("public void Load(string path) => global::NetCompiler.IO.Checkpoint.Load(path, this);");
        _w.Line();

        _w.Line("/// <summary>Runs the network on <c>input.Length / InputSize</c> samples and writes their outputs.</summary>");
        _w.Line("/// <param name=\"input\">[batch, InputSize], row-major.</param>");
        _w.Line("/// <param name=\"output\">[batch, OutputSize].</param>");
        using (_w.Block("public void Forward(ReadOnlySpan<float> input, Span<float> output)"))
        {
            _w.Line("int batch = Guard.BatchOf(input.Length, InputSize, _capacity, nameof(input));");
            _w.Line("Guard.Length(output.Length, batch * OutputSize, nameof(output));");
            _w.Line(CanSplit ? "ForwardPass(batch, input, SplitsBatch(batch));" : "ForwardPass(batch, input);");
            _w.Line(Arg(graph.Output) == "input"
                ? "input.CopyTo(output); // the output is a view of the input"
                : $"_arena.AsSpan({TensorIdent(Output)}Offset * _capacity, batch * OutputSize).CopyTo(output);");
        }
        _w.Line();
        if (!HasLoss) return;

        _w.Line("/// <summary>Forward, loss and backward: fills <see cref=\"Gradients\"/> and returns the mean loss. Parameters are not changed.</summary>");
        _w.Line($"/// <exception cref=\"NonFiniteLossException\">The loss is NaN or infinite; the message names the first layer whose output is not finite.</exception>");
        using (_w.Block($"public float Backward(ReadOnlySpan<float> input, {TargetType} {TargetParam})"))
        {
            TrainingGuards();
            if (CanSplit)
            {
                _w.Line("bool split = SplitsBatch(batch);");
                _w.Line("ForwardPass(batch, input, split);");
                _w.Line($"return BackwardPass(batch, input, {TargetParam}, split);");
            }
            else
            {
                _w.Line("ForwardPass(batch, input);");
                _w.Line($"return BackwardPass(batch, input, {TargetParam});");
            }
        }
        _w.Line();
        if (!HasOptimizer) return;

        _w.Line("/// <summary>One training step on a mini-batch: forward, loss, backward and the optimizer update. Returns the mean loss.</summary>");
        if (HasFusedStep) FusedTrainStep();
        else
        {
            _w.Line($"/// <exception cref=\"NonFiniteLossException\">The loss is NaN or infinite; parameters are left unchanged.</exception>");
            using (_w.Block($"public float TrainStep(ReadOnlySpan<float> input, {TargetType} {TargetParam})"))
            {
                _w.Line($"float loss = Backward(input, {TargetParam});");
                _w.Line("Update();");
                _w.Line("return loss;");
            }
        }
        _w.Line();
        _w.Line("/// <summary>The optimizer's step size; change it between steps for a schedule.</summary>");
        using (_w.Block("public float LearningRate"))
        {
            _w.Line("get => _learningRate;");
            _w.Line("set => _learningRate = value > 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, \"The learning rate must be positive and finite.\");");
        }
        _w.Line("/// <summary>Number of optimizer steps taken.</summary>");
        _w.Line("public long Step => _step;");
        _w.Line();
        var o = spec.Optimizer!;
        _w.Line($"/// <summary>Applies one {o.Kind} step to the parameters using <see cref=\"Gradients\"/>.</summary>");
        using (_w.Block("public void Update()"))
        {
            StepPrologue();
            if (o.Kind != OptimizerKind.Adam) _w.Line("const float correction1 = 1f, correction2 = 1f;");
            _w.Line("OptimizerStep(_parameters, _gradients, _optimizerState, _learningRate, correction1, correction2);");
        }
        _w.Line();
        _w.Line("/// <summary>Clears the optimizer state and the step count.</summary>");
        using (_w.Block("public void ResetOptimizer()"))
        {
            _w.Line("Array.Clear(_optimizerState);");
            _w.Line("_step = 0;");
        }
        _w.Line();
    }

    /// <summary>The argument checks of Backward and TrainStep; they leave <c>batch</c> declared.</summary>
    private void TrainingGuards()
    {
        _w.Line("int batch = Guard.BatchOf(input.Length, InputSize, _capacity, nameof(input));");
        if (UsesLabels)
        {
            _w.Line("Guard.Length(labels.Length, batch, nameof(labels));");
            _w.Line("Guard.Labels(labels, OutputSize, nameof(labels));");
        }
        else _w.Line("Guard.Length(targets.Length, batch * OutputSize, nameof(targets));");
    }

    /// <summary>The optimizer's step count and, for Adam, the bias corrections of this step.</summary>
    private void StepPrologue()
    {
        var o = spec.Optimizer!;
        _w.Line("_step++;");
        if (HasPacked) _w.Line("_parameterVersion++;");
        if (o.Kind != OptimizerKind.Adam) return;
        _w.Line($"float correction1 = _learningRate / (1f - MathF.Pow({Float(o.Beta1)}, _step));");
        _w.Line($"float correction2 = 1f / MathF.Sqrt(1f - MathF.Pow({Float(o.Beta2)}, _step));");
    }

    /// <summary>TrainStep of a small network (after its summary): one straight-line block per vector tier, the layer kernels without vector hardware.</summary>
    private void FusedTrainStep()
    {
        _w.Line("/// <remarks>Compiled as one method: per vector tier, the whole network in one loop over the samples with its weights,");
        _w.Line("/// activations and gradient sums in registers, then the update unrolled. Same results as Backward then Update.</remarks>");
        _w.Line($"/// <exception cref=\"NonFiniteLossException\">The loss is NaN or infinite; parameters are left unchanged.</exception>");
        _w.Line(Tiered.Optimized);
        using (_w.Block($"public float TrainStep(ReadOnlySpan<float> input, {TargetType} {TargetParam})"))
        {
            TrainingGuards();
            string keyword = "if";
            foreach (var tier in FusedStepKernels.Tiers(FusedLayers, profile))
            {
                using (_w.Block($"{keyword} ({tier.Name}.IsHardwareAccelerated)"))
                    FusedStepKernels.EmitTier(_w, new Simd(tier), FusedLayers, spec.Loss!.Value, spec.Optimizer!, plan.ParameterCount, StepPrologue);
                keyword = "else if";
            }
            using (_w.Block("else"))
            {
                _w.Line("// Without vector hardware: the layer kernels.");
                _w.Line("ForwardPass(batch, input);");
                _w.Line($"float loss = BackwardPass(batch, input, {TargetParam});");
                _w.Line("Update();");
                _w.Line("return loss;");
            }
        }
    }

    private void Passes()
    {
        using (_w.Block(CanSplit ? "private void ForwardPass(int batch, ReadOnlySpan<float> input, bool split)" : "private void ForwardPass(int batch, ReadOnlySpan<float> input)"))
        {
            var nodes = graph.Nodes.Take(graph.ForwardNodeCount).ToList();
            if (HasPacked)
            {
                if (HasOptimizer)
                {
                    _w.Line("bool packed = batch >= PackedMinBatch;");
                    _w.Line("if (packed && _packedVersion != _parameterVersion) PackWeights();");
                }
                else
                {
                    _w.Line("// Without an optimizer the parameters change only when the user writes them: the panels are packed once.");
                    _w.Line("if (_packedVersion != _parameterVersion) PackWeights();");
                }
            }
            DeclareSpans(nodes);
            foreach (var n in nodes) CallOrSplit(n);
        }
        _w.Line();
        if (HasPacked)
        {
            _w.Line("// Repacks after any parameter change; training repacks once per step, a small share next to the products it speeds up.");
            using (_w.Block("private void PackWeights()"))
            {
                foreach (var n in PackedLayers)
                {
                    var def = WeightOf(n);
                    _w.Line($"{Names.Kernel(n)}Pack({Param(n.Parameters[0], false)}, _packedWeights.AsSpan({Names.Pascal(def.Name)}PackedOffset, {Int(def.Size)}));");
                }
                _w.Line("_packedVersion = _parameterVersion;");
            }
            _w.Line();
        }
        if (!HasLoss) return;
        using (_w.Block($"private float BackwardPass(int batch, ReadOnlySpan<float> input, {TargetType} {TargetParam}{(CanSplit ? ", bool split" : "")})"))
        {
            var nodes = graph.Nodes.Skip(graph.ForwardNodeCount).ToList();
            DeclareSpans(nodes);
            foreach (var n in nodes) CallOrSplit(n);
            _w.Line("return loss;");
        }
        _w.Line();
        // Cold path: only reached when the loss is not finite, while every forward activation is still intact.
        _w.Line("[MethodImpl(MethodImplOptions.NoInlining)]");
        using (_w.Block("private void ThrowNonFinite(int batch, float loss)"))
        {
            _w.Line("string? layer = null;");
            foreach (var n in graph.Nodes.Take(graph.ForwardNodeCount).Where(n => !n.IsView))
            {
                var t = graph.Tensor(n.Outputs[0]);
                _w.Line($"if (layer is null && !Guard.AllFinite(_arena.AsSpan({TensorIdent(t)}Offset * _capacity, batch * {Int(t.Size)}))) layer = \"{n.Name} ({Describe(n)})\";");
            }
            _w.Line(HasOptimizer ? "throw new NonFiniteLossException(_step + 1, loss, layer);" : "throw new NonFiniteLossException(0, loss, layer);");
        }
        _w.Line();
    }

    private int NodeIndex(Node n)
    {
        for (int i = 0; i < graph.Nodes.Count; i++)
            if (ReferenceEquals(graph.Nodes[i], n)) return i;
        throw new System.InvalidOperationException("The node is not in the graph.");
    }

    /// <summary>A node's kernel call; a node that splits goes to both threads when the pass runs split.</summary>
    private void CallOrSplit(Node n)
    {
        if (!IsSplit(n))
        {
            Call(n);
            return;
        }
        // A dense layer with large weights splits only from a larger batch: each thread reads all the weights and writes
        // a whole weight gradient, so the halves must be long enough to pay for moving them between the cores' caches.
        // Without an optimizer the weights never change, stay in both cores' caches and there is no weight gradient.
        int minBatch = HasOptimizer && n.Op is OpKind.Dense or OpKind.DenseGradInput or OpKind.DenseGradParams
            ? System.Math.Max(profile.SplitMinBatch, WeightOf(n).Size / profile.SplitWeightsPerSample)
            : profile.SplitMinBatch;
        string condition = minBatch > profile.SplitMinBatch ? $"split && batch >= {Int(minBatch)}" : "split";
        bool gradient = n.Op is OpKind.DenseGradParams or OpKind.Conv2DGradParams;
        if (!gradient)
            _w.Line($"if ({condition}) Split({Int(NodeIndex(n))}, batch, input);");
        else
            using (_w.Block($"if ({condition})"))
            {
                _w.Line($"Split({Int(NodeIndex(n))}, batch, input);");
                _w.Line("// The worker's half of the weight gradient went to its own buffer.");
                foreach (int p in n.Parameters)
                {
                    var def = graph.Parameters[p];
                    string range = $"{Names.Pascal(def.Name)}Offset, {Int(def.Size)}";
                    _w.Line($"global::NetCompiler.Threading.SplitWorker.Accumulate(_gradients.AsSpan({range}), _splitGradients.AsSpan({range}));");
                }
            }
        using (_w.Block("else")) Call(n);
    }

    /// <summary>Two-thread mode: the Threads property, the hand-off, and each split node's call on one half of the batch.</summary>
    private void SplitMembers()
    {
        if (!CanSplit)
        {
            _w.Line("/// <summary>Threads that Forward, Backward and TrainStep use: always 1, as no layer of this network is large enough to share.</summary>");
            using (_w.Block("public int Threads"))
            {
                _w.Line("get => 1;");
                _w.Line("set { if (value != 1) throw new ArgumentOutOfRangeException(nameof(value), value, \"No layer of this network is large enough to share between threads.\"); }");
            }
            _w.Line();
            return;
        }
        _w.Line("/// <summary>");
        _w.Line("/// Threads that Forward, Backward and TrainStep use: 1, or 2 to share batches of <see cref=\"SplitMinBatch\"/> or more samples");
        _w.Line("/// between the calling thread and a persistent worker thread (the products, convolutions and pools split by samples).");
        _w.Line("/// Outputs are the same either way; weight gradients are summed in another order, so they differ in the last bits.");
        _w.Line("/// The default is <see cref=\"DefaultThreads\"/>, chosen from the layer shapes; set 1 to stop the worker thread.");
        _w.Line("/// </summary>");
        using (_w.Block("public int Threads"))
        {
            _w.Line("get => _worker is null ? 1 : 2;");
            using (_w.Block("set"))
            {
                _w.Line("if (value is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(value), value, \"A network runs on 1 or 2 threads.\");");
                using (_w.Block("if (value == 2 && _worker is null)"))
                {
                    if (HasLoss) _w.Line("_splitGradients = new float[ParameterCount];");
                    _w.Line($"_worker = new global::NetCompiler.Threading.SplitWorker(\"NetCompiler {spec.ClassName}\", this);");
                }
                using (_w.Block("else if (value == 1 && _worker is not null)"))
                {
                    _w.Line("_worker.Dispose();");
                    _w.Line("_worker = null;");
                }
            }
        }
        _w.Line();
        _w.Line("// Whether a call on this many samples runs on two threads.");
        _w.Line("private bool SplitsBatch(int batch) => _worker is not null && batch >= SplitMinBatch;");
        _w.Line();
        _w.Line("// The first thread's share: whole tiles of 8 samples where possible.");
        _w.Line("private static int SplitPoint(int batch) => Math.Min(batch, (batch / 2 + 7) & ~7);");
        _w.Line();
        using (_w.Block("private void Split(int node, int batch, ReadOnlySpan<float> input)"))
        {
            _w.Line("_splitNode = node;");
            _w.Line("_splitBatch = batch;");
            _w.Line("_worker!.Run(this, input);");
        }
        _w.Line();
        _w.Line("void global::NetCompiler.Threading.ISplitWork.RunPart(int part, ReadOnlySpan<float> input) => RunSplit(part, input);");
        _w.Line();
        using (_w.Block("private void RunSplit(int part, ReadOnlySpan<float> input)"))
        {
            _w.Line("int half = SplitPoint(_splitBatch);");
            _w.Line("int n0 = part == 0 ? 0 : half;");
            _w.Line("int batch = part == 0 ? half : _splitBatch - half;");
            _w.Line("input = input.Slice(n0 * InputSize, batch * InputSize);");
            if (HasLoss) _w.Line("float[] gradients = part == 0 ? _gradients : _splitGradients!;");
            if (HasPacked && HasOptimizer) _w.Line("bool packed = _splitBatch >= PackedMinBatch;");
            var nodes = graph.Nodes.Where(IsSplit).ToList();
            DeclareSpans(nodes, firstSample: "n0");
            _gradientsBuffer = "gradients";
            using (_w.Block("switch (_splitNode)"))
            {
                foreach (var n in nodes)
                {
                    using (_w.Block($"case {Int(NodeIndex(n))}:"))
                    {
                        Call(n);
                        _w.Line("break;");
                    }
                }
            }
            _gradientsBuffer = "_gradients";
        }
        _w.Line();
    }

    /// <summary>A span over <c>batch</c> samples of each arena tensor the nodes use, from sample <paramref name="firstSample"/> if given.</summary>
    private void DeclareSpans(List<Node> nodes, string? firstSample = null)
    {
        var tensors = nodes.SelectMany(n => n.Inputs.Concat(n.Outputs)).Distinct().OrderBy(t => t)
            .Where(t => graph.Tensor(t).Kind is TensorKind.Activation or TensorKind.Gradient)
            .Where(t => graph.Tensor(graph.Storage(t)).Kind != TensorKind.Input);
        foreach (int id in tensors)
        {
            var t = graph.Tensor(id);
            string skip = firstSample is null ? "" : $" + {firstSample} * {Int(t.Size)}";
            _w.Line($"Span<float> {Names.Camel(TensorIdent(t))} = _arena.AsSpan({TensorIdent(t)}Offset * _capacity{skip}, batch * {Int(t.Size)}); // {t.ShapeText}");
        }
    }

    private string Arg(int tensor)
    {
        var t = graph.Tensor(tensor);
        if (graph.Tensor(graph.Storage(tensor)).Kind == TensorKind.Input) return "input";
        return t.Kind switch
        {
            TensorKind.Input => "input",
            TensorKind.Target => TargetParam,
            _ => Names.Camel(TensorIdent(t)),
        };
    }

    private string Param(int p, bool gradient)
    {
        var def = graph.Parameters[p];
        return $"{(gradient ? _gradientsBuffer : "_parameters")}.AsSpan({Names.Pascal(def.Name)}Offset, {Int(def.Size)})";
    }

    private void Call(Node n)
    {
        string k = Names.Kernel(n);
        switch (n.Op)
        {
            case OpKind.Dense:
                string bias = n.Parameters.Count > 1 ? Param(n.Parameters[1], false) : "default";
                string call = $"{k}(batch, {Arg(n.Inputs[0])}, {Param(n.Parameters[0], false)}, {bias}, {Arg(n.Outputs[0])});";
                if (PackedLayers.Contains(n))
                {
                    var def = WeightOf(n);
                    string packedCall = $"{k}Packed(batch, {Arg(n.Inputs[0])}, _packedWeights.AsSpan({Names.Pascal(def.Name)}PackedOffset, {Int(def.Size)}), {bias}, {Arg(n.Outputs[0])});";
                    if (HasOptimizer)
                    {
                        _w.Line("if (packed) " + packedCall);
                        _w.Line("else " + call);
                    }
                    else _w.Line(packedCall);
                }
                else _w.Line(call);
                break;
            case OpKind.Activation:
                _w.Line($"{k}({Arg(n.Inputs[0])}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.Softmax:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.LossGrad:
                _w.Line($"float loss = {k}(batch, {Arg(n.Inputs[0])}, {TargetParam}, {Arg(n.Outputs[0])});");
                _w.Line("if (!float.IsFinite(loss)) ThrowNonFinite(batch, loss);");
                break;
            case OpKind.ActivationGrad:
                _w.Line($"{k}({Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.SoftmaxGrad:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.DenseGradInput:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Param(n.Parameters[0], false)}, {(n.Inputs.Count > 1 ? Arg(n.Inputs[1]) : "default")}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.DenseGradParams:
                string dBias = n.Parameters.Count > 1 ? Param(n.Parameters[1], true) : "default";
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {Param(n.Parameters[0], true)}, {dBias});");
                break;
            case OpKind.Conv2D:
                string convBias = n.Parameters.Count > 1 ? Param(n.Parameters[1], false) : "default";
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Param(n.Parameters[0], false)}, {convBias}, {Arg(n.Outputs[0])}, {SecondOutput(n)});");
                break;
            case OpKind.Conv2DGradParams:
                string convDBias = n.Parameters.Count > 1 ? Param(n.Parameters[1], true) : "default";
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {Param(n.Parameters[0], true)}, {convDBias});");
                break;
            case OpKind.Conv2DGradInput:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Param(n.Parameters[0], false)}, {FusedInput(n, 1)}, {Arg(n.Outputs[0])}, {SecondOutput(n)});");
                break;
            case OpKind.MaxPool2D:
            case OpKind.AvgPool2D:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.MaxPool2DGrad:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {FusedInput(n, 2)}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.AvgPool2DGrad:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {FusedInput(n, 1)}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.Dropout:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Outputs[0])}, {Arg(n.Outputs[1])}, Mode == NetworkMode.Training, DropoutKey({Int(n.Layer)}));");
                break;
            case OpKind.DropoutGrad:
                _w.Line($"{k}(batch, {Arg(n.Inputs[0])}, {Arg(n.Inputs[1])}, {FusedInput(n, 2)}, {Arg(n.Outputs[0])});");
                break;
            case OpKind.Flatten:
            case OpKind.FlattenGrad:
                _w.Line($"// {Names.Camel(TensorIdent(graph.Tensor(n.Outputs[0])))} {graph.Tensor(n.Outputs[0]).ShapeText} is a view of {Arg(n.Inputs[0])}: no data moves.");
                break;
        }
    }

    /// <summary>The previous layer's output that a fused activation derivative reads, or <c>default</c> when none is fused.</summary>
    private string FusedInput(Node n, int index) => n.Inputs.Count > index ? Arg(n.Inputs[index]) : "default";

    /// <summary>The geometry of a Conv2D layer, read from its forward node (backward nodes see only gradients and columns).</summary>
    /// <summary>A convolution's columns (or their gradient); a 1x1 convolution has none and passes <c>default</c>.</summary>
    private string SecondOutput(Node n) => n.Outputs.Count > 1 ? Arg(n.Outputs[1]) : "default";

    private ConvShape ConvShapeOf(Node n)
    {
        var f = graph.Nodes.First(f => f.Op == OpKind.Conv2D && f.Layer == n.Layer);
        var x = graph.Tensor(f.Inputs[0]).Shape;
        var y = graph.Tensor(f.Outputs[0]).Shape;
        return new ConvShape(x[0], x[1], x[2], y[0], y[1], y[2], f.Window!.Kernel, f.Window.Stride, f.Window.Padding);
    }

    private PoolShape PoolShapeOf(Node n)
    {
        var f = graph.Nodes.First(f => f.Op is OpKind.MaxPool2D or OpKind.AvgPool2D && f.Layer == n.Layer);
        var x = graph.Tensor(f.Inputs[0]).Shape;
        var y = graph.Tensor(f.Outputs[0]).Shape;
        return new PoolShape(x[0], x[1], x[2], y[1], y[2], f.Window!.Kernel, f.Window.Stride);
    }

    private void KernelMethods()
    {
        foreach (var n in graph.Nodes)
        {
            string[] header = KernelHeader(n);
            string name = Names.Kernel(n);
            var w0 = n.Parameters.Count > 0 ? graph.Parameters[n.Parameters[0]] : null;
            switch (n.Op)
            {
                case OpKind.Dense:
                    DenseKernels.Forward(_w, profile, name, header, w0!.Shape[1], w0.Shape[0], n.Parameters.Count > 1, n.Activation);
                    if (PackedLayers.Contains(n))
                    {
                        _w.Line();
                        DenseKernels.PackPanels(_w, profile, name + "Pack", [$"{w0.Name} {w0.ShapeText} into panels of {Int(profile.PanelWidth)} outputs"], w0.Shape[1], w0.Shape[0]);
                        _w.Line();
                        DenseKernels.ForwardPacked(_w, profile, name + "Packed", header, w0.Shape[1], w0.Shape[0], n.Parameters.Count > 1, n.Activation);
                    }
                    break;
                case OpKind.DenseGradInput:
                    DenseKernels.BackwardInput(_w, profile, name, header, w0!.Shape[1], w0.Shape[0], n.Activation);
                    break;
                case OpKind.DenseGradParams:
                    DenseKernels.BackwardParams(_w, profile, name, header, w0!.Shape[1], w0.Shape[0], n.Parameters.Count > 1);
                    break;
                case OpKind.Activation:
                    ElementwiseKernels.ActivationForward(_w, name, header, n.Activation);
                    break;
                case OpKind.ActivationGrad:
                    ElementwiseKernels.ActivationBackward(_w, name, header, n.Activation);
                    break;
                case OpKind.Softmax:
                    ElementwiseKernels.SoftmaxForward(_w, name, header, graph.Tensor(n.Inputs[0]).Size);
                    break;
                case OpKind.SoftmaxGrad:
                    ElementwiseKernels.SoftmaxBackward(_w, name, header, graph.Tensor(n.Inputs[1]).Size);
                    break;
                case OpKind.LossGrad:
                    LossKernels.Emit(_w, name, header, n.Loss, n.Activation, graph.Tensor(n.Inputs[0]).Size);
                    break;
                case OpKind.Conv2D:
                    ConvKernels.Forward(_w, profile, name, header, ConvShapeOf(n), n.Parameters.Count > 1, n.Activation,
                        keepColumns: graph.Nodes.Any(b => b.Op == OpKind.Conv2DGradParams && b.Layer == n.Layer));
                    break;
                case OpKind.Conv2DGradParams:
                    ConvKernels.BackwardParams(_w, profile, name, header, ConvShapeOf(n), n.Parameters.Count > 1);
                    break;
                case OpKind.Conv2DGradInput:
                    ConvKernels.BackwardInput(_w, profile, name, header, ConvShapeOf(n), n.Activation);
                    break;
                case OpKind.MaxPool2D:
                    PoolKernels.MaxForward(_w, profile, name, header, PoolShapeOf(n));
                    break;
                case OpKind.MaxPool2DGrad:
                    PoolKernels.MaxBackward(_w, profile, name, header, PoolShapeOf(n), n.Activation);
                    break;
                case OpKind.AvgPool2D:
                    PoolKernels.AvgForward(_w, name, header, PoolShapeOf(n));
                    break;
                case OpKind.AvgPool2DGrad:
                    PoolKernels.AvgBackward(_w, name, header, PoolShapeOf(n), n.Activation);
                    break;
                case OpKind.Dropout:
                    DropoutKernels.Forward(_w, name, header, graph.Tensor(n.Inputs[0]).Size, n.Rate);
                    break;
                case OpKind.DropoutGrad:
                    DropoutKernels.Backward(_w, name, header, graph.Tensor(n.Outputs[0]).Size, n.Activation);
                    break;
                default:
                    continue;
            }
            _w.Line();
        }
        if (HasDropout) DropoutKernels.Helpers(_w, HasOptimizer);
        if (HasOptimizer)
            OptimizerKernels.Emit(_w, profile, "OptimizerStep", new[] { $"{spec.Optimizer!.Kind} over all {plan.ParameterCount} parameters" }, spec.Optimizer!, plan.ParameterCount);
    }

    private string[] KernelHeader(Node n)
    {
        string Shapes(IEnumerable<int> ts) => string.Join(", ", ts.Select(t => graph.Tensor(t).Name + " " + graph.Tensor(t).ShapeText));
        string fused = n.Activation != ActivationKind.Identity && n.Op is not (OpKind.Activation or OpKind.ActivationGrad or OpKind.Softmax or OpKind.SoftmaxGrad)
            ? n.Op is OpKind.Dense or OpKind.Conv2D ? $", {n.Activation} fused" : $", {n.Activation} derivative fused" : "";
        var lines = new List<string> { $"{n.Op} '{n.Name}'{fused}: {Shapes(n.Inputs)} -> {(n.Outputs.Count > 0 ? Shapes(n.Outputs) : "gradients of " + string.Join(", ", n.Parameters.Select(p => graph.Parameters[p].Name)))}" };
        if (n.Op == OpKind.LossGrad) lines[0] = $"{n.Loss} loss and its gradient{fused}: {Shapes(n.Inputs)} -> {Shapes(n.Outputs)}";
        return lines.ToArray();
    }


    private static string TensorIdent(TensorDef t) =>
        t.Kind == TensorKind.Gradient ? Names.Pascal(t.Name.Substring(1)) + "Grad" : Names.Pascal(t.Name);
}
