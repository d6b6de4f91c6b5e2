using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>
/// Runs each kernel on a device and compares it with a float64 computation on the CPU.
/// Tolerance: |device - cpu| &lt;= 1e-5 * (1 + sum of |terms|) for reductions (float32 accumulation error grows with the
/// magnitude of what is summed), and 1e-5 * (1 + |cpu|) for elementwise results; ex2/lg2.approx and rcp stay well inside it.
/// </summary>
internal static class KernelChecks
{
    private const double Tolerance = 1e-5;

    public static void DenseForward(IKernelDevice device, int batch, int inFeatures, int outFeatures, PtxActivation activation, bool hasBias)
    {
        var random = new Random(batch * 7919 + inFeatures * 31 + outFeatures);
        float[] x = Values(random, batch * inFeatures);          // [batch, in]
        float[] weight = Values(random, outFeatures * inFeatures); // [out, in]
        float[] bias = Values(random, outFeatures);              // [out]
        PtxKernel kernel = GemmKernels.Forward($"forward_{inFeatures}x{outFeatures}", inFeatures, outFeatures, activation, hasBias);

        DeviceTensor y = device.AllocateOutput(batch * outFeatures);
        var arguments = new List<object> { device.Upload(x), device.Upload(weight) };
        if (hasBias)
        {
            arguments.Add(device.Upload(bias));
        }

        arguments.Add((uint)batch);
        arguments.Add(y);
        device.Launch(kernel, batch, arguments.ToArray());
        float[] actual = device.Download(y);

        for (int b = 0; b < batch; b++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = hasBias ? bias[o] : 0;
                double magnitude = Math.Abs(sum);
                for (int i = 0; i < inFeatures; i++)
                {
                    sum += (double)x[b * inFeatures + i] * weight[o * inFeatures + i];
                    magnitude += Math.Abs((double)x[b * inFeatures + i] * weight[o * inFeatures + i]);
                }

                AssertClose(Activate(activation, sum), actual[b * outFeatures + o], magnitude, $"y[{b}, {o}]");
            }
        }
    }

    public static void DenseBackwardInput(IKernelDevice device, int batch, int inFeatures, int outFeatures, PtxActivation inputActivation)
    {
        var random = new Random(batch * 7919 + inFeatures * 31 + outFeatures + 1);
        float[] dZ = Values(random, batch * outFeatures);        // [batch, out]
        float[] weight = Values(random, outFeatures * inFeatures); // [out, in]
        float[] x = Values(random, batch * inFeatures).Select(v => (float)Activate(inputActivation, v * 3)).ToArray(); // [batch, in], a saved activation output
        PtxKernel kernel = GemmKernels.BackwardInput($"backward_input_{inFeatures}x{outFeatures}", inFeatures, outFeatures, inputActivation);

        DeviceTensor dX = device.AllocateOutput(batch * inFeatures);
        var arguments = new List<object> { device.Upload(dZ), device.Upload(weight) };
        if (inputActivation != PtxActivation.Identity)
        {
            arguments.Add(device.Upload(x));
        }

        arguments.Add((uint)batch);
        arguments.Add(dX);
        device.Launch(kernel, batch, arguments.ToArray());
        float[] actual = device.Download(dX);

        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inFeatures; i++)
            {
                double sum = 0;
                double magnitude = 0;
                for (int o = 0; o < outFeatures; o++)
                {
                    double term = (double)dZ[b * outFeatures + o] * weight[o * inFeatures + i];
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                double expected = sum * DerivativeFromOutput(inputActivation, x[b * inFeatures + i]);
                AssertClose(expected, actual[b * inFeatures + i], magnitude, $"dX[{b}, {i}]");
            }
        }
    }

    public static void DenseBackwardWeight(IKernelDevice device, int batch, int inFeatures, int outFeatures, bool hasBias)
    {
        var random = new Random(batch * 7919 + inFeatures * 31 + outFeatures + 2);
        float[] dZ = Values(random, batch * outFeatures); // [batch, out]
        float[] x = Values(random, batch * inFeatures);   // [batch, in]
        PtxKernel kernel = GemmKernels.BackwardWeight($"backward_weight_{inFeatures}x{outFeatures}", inFeatures, outFeatures, hasBias);

        DeviceTensor dWeight = device.AllocateOutput(outFeatures * inFeatures);
        DeviceTensor dBias = device.AllocateOutput(outFeatures);
        var arguments = new List<object> { device.Upload(dZ), device.Upload(x), (uint)batch, dWeight };
        if (hasBias)
        {
            arguments.Add(dBias);
        }

        device.Launch(kernel, batch, arguments.ToArray());
        float[] actualWeight = device.Download(dWeight);
        float[] actualBias = device.Download(dBias);

        for (int o = 0; o < outFeatures; o++)
        {
            double biasSum = 0;
            double biasMagnitude = 0;
            for (int b = 0; b < batch; b++)
            {
                biasSum += dZ[b * outFeatures + o];
                biasMagnitude += Math.Abs(dZ[b * outFeatures + o]);
            }

            if (hasBias)
            {
                AssertClose(biasSum, actualBias[o], biasMagnitude, $"dBias[{o}]");
            }
            else
            {
                Assert.True(float.IsNaN(actualBias[o]), $"dBias[{o}] was written by a kernel without bias.");
            }

            for (int i = 0; i < inFeatures; i++)
            {
                double sum = 0;
                double magnitude = 0;
                for (int b = 0; b < batch; b++)
                {
                    double term = (double)dZ[b * outFeatures + o] * x[b * inFeatures + i];
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                AssertClose(sum, actualWeight[o * inFeatures + i], magnitude, $"dWeight[{o}, {i}]");
            }
        }
    }

    public static void Activation(IKernelDevice device, int batch, int features, PtxActivation activation)
    {
        var random = new Random(batch * 31 + features);
        float[] x = Values(random, batch * features).Select(v => v * 6).ToArray(); // [batch, features], wide enough to saturate
        float[] dY = Values(random, batch * features);
        string a = activation.ToString().ToLowerInvariant();
        PtxKernel forward = ElementwiseKernels.ActivationForward($"{a}_forward", features, activation);
        PtxKernel backward = ElementwiseKernels.ActivationBackward($"{a}_backward", features, activation);

        DeviceTensor y = device.AllocateOutput(batch * features);
        DeviceTensor dX = device.AllocateOutput(batch * features);
        device.Launch(forward, batch, device.Upload(x), (uint)batch, y);
        float[] actualY = device.Download(y);
        device.Launch(backward, batch, device.Upload(dY), y, (uint)batch, dX);
        float[] actualDx = device.Download(dX);

        for (int i = 0; i < x.Length; i++)
        {
            double expectedY = Activate(activation, x[i]);
            AssertClose(expectedY, actualY[i], Math.Abs(expectedY), $"y[{i}]");
            AssertClose(dY[i] * DerivativeFromOutput(activation, actualY[i]), actualDx[i], Math.Abs(dY[i]), $"dX[{i}]");
        }
    }

    public static void SoftmaxCrossEntropy(IKernelDevice device, int batch, int classes)
    {
        var random = new Random(batch * 31 + classes);
        float[] logits = Values(random, batch * classes).Select(v => v * 8).ToArray(); // [batch, classes]
        int[] labels = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        if (batch > 2)
        {
            labels[1] = classes;  // out of range
            labels[2] = -1;       // negative
        }

        PtxKernel kernel = LossKernels.SoftmaxCrossEntropy($"softmax_cross_entropy_{classes}", classes);
        DeviceTensor rowLoss = device.AllocateOutput(batch);
        DeviceTensor dLogits = device.AllocateOutput(batch * classes);
        device.Launch(kernel, batch, device.Upload(logits), device.Upload(labels), (uint)batch, rowLoss, dLogits);
        float[] actualLoss = device.Download(rowLoss);
        float[] actualGradient = device.Download(dLogits);

        for (int b = 0; b < batch; b++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                max = Math.Max(max, logits[b * classes + c]);
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[b * classes + c] - max);
            }

            bool valid = labels[b] >= 0 && labels[b] < classes;
            if (valid)
            {
                double loss = Math.Log(sum) + max - logits[b * classes + labels[b]];
                AssertClose(loss, actualLoss[b], Math.Abs(loss) + Math.Abs(max), $"rowLoss[{b}]");
            }
            else
            {
                Assert.True(float.IsNaN(actualLoss[b]), $"rowLoss[{b}] for invalid label {labels[b]} should be NaN, was {actualLoss[b]}.");
            }

            for (int c = 0; c < classes; c++)
            {
                double softmax = Math.Exp(logits[b * classes + c] - max) / sum;
                double expected = (softmax - (c == labels[b] ? 1 : 0)) / batch;
                AssertClose(expected, actualGradient[b * classes + c], 1.0 / batch, $"dLogits[{b}, {c}]");
            }
        }
    }

    public static void MeanSquaredError(IKernelDevice device, int batch, int features)
    {
        var random = new Random(batch * 37 + features);
        float[] predictions = Values(random, batch * features); // [batch, features]
        float[] targets = Values(random, batch * features);     // [batch, features]
        PtxKernel kernel = LossKernels.MeanSquaredError($"mse_{features}", features);
        DeviceTensor rowLoss = device.AllocateOutput(batch);
        DeviceTensor gradient = device.AllocateOutput(batch * features);
        device.Launch(kernel, batch, device.Upload(predictions), device.Upload(targets), (uint)batch, rowLoss, gradient);
        float[] actualLoss = device.Download(rowLoss);
        float[] actualGradient = device.Download(gradient);

        for (int b = 0; b < batch; b++)
        {
            double sum = 0;
            for (int j = 0; j < features; j++)
            {
                int i = b * features + j;
                double difference = (double)predictions[i] - targets[i];
                sum += difference * difference;
                AssertClose(2 * difference / (batch * features), actualGradient[i], 2.0 / (batch * features), $"dPredictions[{b}, {j}]");
            }

            AssertClose(sum / features, actualLoss[b], sum / features, $"rowLoss[{b}]");
        }
    }

    public static void BinaryCrossEntropyWithLogits(IKernelDevice device, int batch, int features)
    {
        var random = new Random(batch * 41 + features);
        float[] logits = Values(random, batch * features).Select(v => v * 20).ToArray(); // [batch, features], includes large |z|
        float[] targets = Enumerable.Range(0, batch * features).Select(_ => (float)random.NextDouble()).ToArray();
        PtxKernel kernel = LossKernels.BinaryCrossEntropyWithLogits($"bce_{features}", features);
        DeviceTensor rowLoss = device.AllocateOutput(batch);
        DeviceTensor gradient = device.AllocateOutput(batch * features);
        device.Launch(kernel, batch, device.Upload(logits), device.Upload(targets), (uint)batch, rowLoss, gradient);
        float[] actualLoss = device.Download(rowLoss);
        float[] actualGradient = device.Download(gradient);

        for (int b = 0; b < batch; b++)
        {
            double sum = 0;
            double magnitude = 0;
            for (int j = 0; j < features; j++)
            {
                int i = b * features + j;
                double z = logits[i];
                double t = targets[i];
                double loss = Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                sum += loss;
                magnitude += Math.Abs(z) + 1;
                double sigmoid = 1 / (1 + Math.Exp(-z));
                AssertClose((sigmoid - t) / (batch * features), actualGradient[i], 1.0 / (batch * features), $"dLogits[{b}, {j}]");
            }

            AssertClose(sum / features, actualLoss[b], magnitude / features, $"rowLoss[{b}]");
        }
    }

    public static void MeanLoss(IKernelDevice device, int batch)
    {
        var random = new Random(batch);
        float[] rowLoss = Values(random, batch).Select(v => v + 2).ToArray(); // [batch]
        PtxKernel kernel = LossKernels.MeanLoss("mean_loss");
        DeviceTensor loss = device.AllocateOutput(1);
        device.Launch(kernel, batch, device.Upload(rowLoss), (uint)batch, loss);
        double expected = rowLoss.Select(v => (double)v).Average();
        AssertClose(expected, device.Download(loss)[0], rowLoss.Select(v => (double)Math.Abs(v)).Average(), "loss");
    }

    public static void Sgd(IKernelDevice device, int count, float momentum, float weightDecay, bool nesterov)
    {
        const float LearningRate = 0.1f;
        PtxKernel kernel = OptimizerKernels.Sgd("sgd", count, momentum, weightDecay, nesterov);
        RunOptimizer(device, kernel, count, stateCount: momentum != 0 ? 1 : 0, step => [LearningRate], (g, w, state, step) =>
        {
            double d = g + weightDecay * w;
            if (momentum != 0)
            {
                state[0] = momentum * state[0] + d;
                d = nesterov ? d + momentum * state[0] : state[0];
            }

            return w - LearningRate * d;
        });
    }

    public static void Adagrad(IKernelDevice device, int count, float epsilon, float weightDecay)
    {
        const float LearningRate = 0.05f;
        PtxKernel kernel = OptimizerKernels.Adagrad("adagrad", count, epsilon, weightDecay);
        RunOptimizer(device, kernel, count, stateCount: 1, step => [LearningRate], (g, w, state, step) =>
        {
            double d = g + weightDecay * w;
            state[0] += d * d;
            return w - LearningRate * d / (Math.Sqrt(state[0]) + epsilon);
        });
    }

    public static void Adam(IKernelDevice device, int count, float weightDecay, bool decoupled)
    {
        const float LearningRate = 0.01f;
        const float Beta1 = 0.9f;
        const float Beta2 = 0.999f;
        const float Epsilon = 1e-8f;
        PtxKernel kernel = OptimizerKernels.Adam("adam", count, Beta1, Beta2, Epsilon, weightDecay, decoupled);
        RunOptimizer(
            device,
            kernel,
            count,
            stateCount: 2,
            step => [LearningRate, 1 - MathF.Pow(Beta1, step), 1 - MathF.Pow(Beta2, step)],
            (g, w, state, step) =>
            {
                double d = g;
                if (decoupled)
                {
                    w *= 1 - LearningRate * weightDecay;
                }
                else
                {
                    d += weightDecay * w;
                }

                state[0] = Beta1 * state[0] + (1 - Beta1) * d;
                state[1] = Beta2 * state[1] + (1 - Beta2) * d * d;
                double biasCorrection1 = 1 - Math.Pow(Beta1, step);
                double biasCorrection2 = 1 - Math.Pow(Beta2, step);
                return w - LearningRate / biasCorrection1 * state[0] / (Math.Sqrt(state[1]) / Math.Sqrt(biasCorrection2) + Epsilon);
            });
    }

    /// <summary>Three update steps with fresh gradients; weights and every state buffer compared after each.</summary>
    private static void RunOptimizer(IKernelDevice device, PtxKernel kernel, int count, int stateCount, Func<int, float[]> scalars, Func<double, double, double[], int, double> update)
    {
        var random = new Random(count + stateCount);
        float[] weights = Values(random, count);
        double[] expectedWeights = weights.Select(v => (double)v).ToArray();
        double[][] expectedState = Enumerable.Range(0, count).Select(_ => new double[stateCount]).ToArray();
        DeviceTensor weightTensor = device.Upload(weights);
        DeviceTensor[] stateTensors = Enumerable.Range(0, stateCount).Select(_ => device.Upload(new float[count])).ToArray();

        for (int step = 1; step <= 3; step++)
        {
            float[] gradient = Values(random, count);
            var arguments = new List<object> { device.Upload(gradient) };
            arguments.AddRange(scalars(step).Cast<object>());
            arguments.Add(weightTensor);
            arguments.AddRange(stateTensors);
            device.Launch(kernel, 0, arguments.ToArray());

            for (int i = 0; i < count; i++)
            {
                expectedWeights[i] = update(gradient[i], expectedWeights[i], expectedState[i], step);
            }

            float[] actualWeights = device.Download(weightTensor);
            for (int i = 0; i < count; i++)
            {
                AssertClose(expectedWeights[i], actualWeights[i], Math.Abs(expectedWeights[i]) + 1, $"step {step} weight[{i}]");
            }

            for (int s = 0; s < stateCount; s++)
            {
                float[] actualState = device.Download(stateTensors[s]);
                for (int i = 0; i < count; i++)
                {
                    AssertClose(expectedState[i][s], actualState[i], Math.Abs(expectedState[i][s]), $"step {step} state{s}[{i}]");
                }
            }
        }
    }

    public static double Activate(PtxActivation activation, double x) => activation switch
    {
        PtxActivation.Identity => x,
        PtxActivation.Relu => Math.Max(x, 0),
        PtxActivation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        PtxActivation.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static double DerivativeFromOutput(PtxActivation activation, double y) => activation switch
    {
        PtxActivation.Identity => 1,
        PtxActivation.Relu => y > 0 ? 1 : 0,
        PtxActivation.Sigmoid => y * (1 - y),
        PtxActivation.Tanh => 1 - y * y,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static void AssertClose(double expected, float actual, double magnitude, string what)
    {
        double tolerance = Tolerance * (1 + magnitude);
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"{what}: expected {expected.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, actual {actual.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, tolerance {tolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}.");
    }
}
