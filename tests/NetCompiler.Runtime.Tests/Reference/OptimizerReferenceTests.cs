using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class OptimizerReferenceTests
{
    private const double Exact = 1e-15;

    [Fact]
    public void Sgd_Plain_StepsAgainstTheGradient()
    {
        double[] p = [1, -2, 0.5];
        double[] g = [0.5, 0.25, -4];

        OptimizerReference.Sgd<double>(p, g, [], learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0);

        AssertClose([0.95, -2.025, 0.9], p, Exact, "parameters");
    }

    [Fact]
    public void Sgd_WeightDecay_AddsL2ToTheGradient()
    {
        double[] p = [1, -2];
        double[] g = [0.5, 0.25];

        OptimizerReference.Sgd<double>(p, g, [], learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01);

        AssertClose([1 - 0.1 * (0.5 + 0.01 * 1), -2 - 0.1 * (0.25 + 0.01 * -2)], p, Exact, "parameters");
    }

    [Fact]
    public void Sgd_Momentum_TwoStepsMatchExpandedFormula()
    {
        const double lr = 0.1, mu = 0.9;
        double[] p = [1, -1];
        double[] g1 = [0.5, -0.2], g2 = [0.1, 0.3];
        var v = new double[2];

        OptimizerReference.Sgd<double>(p, g1, v, lr, mu, nesterov: false, weightDecay: 0);
        OptimizerReference.Sgd<double>(p, g2, v, lr, mu, nesterov: false, weightDecay: 0);

        double[] expectedV = [mu * g1[0] + g2[0], mu * g1[1] + g2[1]];
        double[] expectedP = [1 - lr * g1[0] - lr * expectedV[0], -1 - lr * g1[1] - lr * expectedV[1]];
        AssertClose(expectedV, v, Exact, "velocity");
        AssertClose(expectedP, p, Exact, "parameters");
    }

    [Fact]
    public void Sgd_Nesterov_TwoStepsMatchExpandedFormulaAndDifferFromPlainMomentum()
    {
        const double lr = 0.1, mu = 0.9;
        double[] p = [1, -1];
        double[] plain = [1, -1];
        double[] g1 = [0.5, -0.2], g2 = [0.1, 0.3];
        var v = new double[2];
        var plainV = new double[2];

        OptimizerReference.Sgd<double>(p, g1, v, lr, mu, nesterov: true, weightDecay: 0);
        OptimizerReference.Sgd<double>(p, g2, v, lr, mu, nesterov: true, weightDecay: 0);
        OptimizerReference.Sgd<double>(plain, g1, plainV, lr, mu, nesterov: false, weightDecay: 0);
        OptimizerReference.Sgd<double>(plain, g2, plainV, lr, mu, nesterov: false, weightDecay: 0);

        var expected = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double v1 = g1[i];
            double v2 = mu * v1 + g2[i];
            expected[i] = (i == 0 ? 1 : -1) - lr * (g1[i] + mu * v1) - lr * (g2[i] + mu * v2);
        }
        AssertClose(expected, p, Exact, "parameters");
        AssertClose(plainV, v, Exact, "velocity (the buffer is the same with or without Nesterov)");
        Assert.NotEqual(plain[0], p[0]);
    }

    [Fact]
    public void Sgd_NesterovWithoutMomentum_Throws() =>
        Assert.Throws<ArgumentException>(() => OptimizerReference.Sgd<double>(new double[1], [1], [], 0.1, 0, nesterov: true, 0));

    [Fact]
    public void Adagrad_TwoStepsMatchExpandedFormula()
    {
        const double lr = 0.5, eps = 1e-10, wd = 0.1;
        double[] p = [1, -2];
        double[] g1 = [0.4, -0.3], g2 = [-0.2, 0.6];
        var s = new double[2];

        OptimizerReference.Adagrad<double>(p, g1, s, lr, eps, wd);
        double[] afterFirst = (double[])p.Clone();
        OptimizerReference.Adagrad<double>(p, g2, s, lr, eps, wd);

        var expectedP = new double[2];
        var expectedS = new double[2];
        double[] start = [1, -2];
        for (int i = 0; i < 2; i++)
        {
            double d1 = g1[i] + wd * start[i];
            double p1 = start[i] - lr * d1 / (Math.Abs(d1) + eps);
            double d2 = g2[i] + wd * p1;
            expectedS[i] = d1 * d1 + d2 * d2;
            expectedP[i] = p1 - lr * d2 / (Math.Sqrt(expectedS[i]) + eps);
        }
        // The first step moves each parameter by lr against the sign of its gradient.
        AssertClose([1 - lr, -2 + lr], afterFirst, 1e-9, "parameters after the first step");
        AssertClose(expectedS, s, Exact, "sumOfSquares");
        AssertClose(expectedP, p, Exact, "parameters");
    }

    [Fact]
    public void Adam_FirstStepMovesByLearningRateAgainstTheGradientSign()
    {
        double[] p = [1, -2, 3];
        double[] g = [0.01, -5, 200];
        var m = new double[3];
        var v = new double[3];

        OptimizerReference.Adam<double>(p, g, m, v, step: 1, learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0);

        AssertClose([1 - 0.001, -2 + 0.001, 3 - 0.001], p, 1e-8, "parameters");
        AssertClose([0.001, -0.5, 20], m, 1e-15, "firstMoment");
        AssertClose([0.001 * 0.0001, 0.001 * 25, 0.001 * 40000], v, 1e-15, "secondMoment");
    }

    [Fact]
    public void Adam_ThreeStepsWithWeightDecayMatchExpandedFormula()
    {
        const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.05;
        double[][] grads = [[0.3, -0.1], [-0.2, 0.4], [0.05, 0.05]];
        double[] p = [0.5, -1.5];
        var m = new double[2];
        var v = new double[2];

        double[] ep = [0.5, -1.5];
        var em = new double[2];
        var ev = new double[2];
        for (int t = 1; t <= 3; t++)
        {
            OptimizerReference.Adam<double>(p, grads[t - 1], m, v, t, lr, b1, b2, eps, wd);
            for (int i = 0; i < 2; i++)
            {
                double d = grads[t - 1][i] + wd * ep[i];
                em[i] = b1 * em[i] + (1 - b1) * d;
                ev[i] = b2 * ev[i] + (1 - b2) * d * d;
                double mHat = em[i] / (1 - Math.Pow(b1, t));
                double vHat = ev[i] / (1 - Math.Pow(b2, t));
                // PyTorch adds ε to √v / √(1 - β₂ᵗ), so ε is not scaled by the bias correction.
                ep[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }

        AssertClose(em, m, 1e-14, "firstMoment");
        AssertClose(ev, v, 1e-14, "secondMoment");
        AssertClose(ep, p, 1e-14, "parameters");
    }

    [Fact]
    public void Adam_StepZero_Throws()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            OptimizerReference.Adam<double>(new double[1], [1], new double[1], new double[1], 0, 0.1, 0.9, 0.999, 1e-8, 0));
        Assert.Equal("step", exception.ParamName);
    }

    [Fact]
    public void Adam_Float_MatchesDouble()
    {
        var random = new Random(3);
        double[] p = RandomArray(random, 17);
        float[] pf = ToFloat(p);
        double[] m = new double[17], v = new double[17];
        float[] mf = new float[17], vf = new float[17];
        for (int t = 1; t <= 5; t++)
        {
            double[] g = RandomArray(random, 17);
            OptimizerReference.Adam<double>(p, g, m, v, t, 0.01, 0.9, 0.999, 1e-8, 0.01);
            OptimizerReference.Adam<float>(pf, ToFloat(g), mf, vf, t, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f);
        }

        AssertClose(p, pf, 1e-5, "parameters");
    }
}
