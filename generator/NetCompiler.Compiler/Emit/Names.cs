using System.Text;
using NetCompiler.Compiler.IR;

namespace NetCompiler.Compiler.Emit;

/// <summary>C# identifiers from layer and parameter names: <c>0.weight</c> becomes <c>Layer0Weight</c>, <c>fc1.bias</c> <c>Fc1Bias</c>.</summary>
internal static class Names
{
    public static string Pascal(string name)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, "Layer");
        return sb.ToString();
    }

    public static string Camel(string name)
    {
        string p = Pascal(name);
        return char.ToLowerInvariant(p[0]) + p.Substring(1);
    }

    /// <summary>The kernel method of a node, the same on the CPU and the GPU: <c>Layer0Forward</c>, <c>Fc1BackwardInput</c>, <c>SoftmaxCrossEntropyLoss</c>.</summary>
    public static string Kernel(Node n) => n.Op switch
    {
        OpKind.Dense or OpKind.Activation or OpKind.Softmax or OpKind.Conv2D or OpKind.MaxPool2D or OpKind.AvgPool2D or OpKind.Dropout => Pascal(n.Name) + "Forward",
        OpKind.DenseGradInput or OpKind.Conv2DGradInput => Pascal(n.Name) + "BackwardInput",
        OpKind.DenseGradParams or OpKind.Conv2DGradParams => Pascal(n.Name) + "BackwardParameters",
        OpKind.ActivationGrad or OpKind.SoftmaxGrad or OpKind.MaxPool2DGrad or OpKind.AvgPool2DGrad or OpKind.DropoutGrad => Pascal(n.Name) + "Backward",
        OpKind.LossGrad => n.Loss + "Loss",
        _ => Pascal(n.Name) + n.Op,
    };
}
