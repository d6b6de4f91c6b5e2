using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class LstmReferenceTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Forward_HandComputed_TwoStepsOfOneUnit()
    {
        // One input, one hidden unit: the gate rows are i, f, g, o.
        double[] weightIh = [0.5, -0.25, 1, 2];
        double[] weightHh = [1, 0.5, -1, 0.25];
        double[] biasIh = [0.1, 0.2, 0.3, 0.4];
        double[] biasHh = [0, 0.1, 0, -0.1];
        double[] input = [1, -2]; // [1, 2, 1]
        var output = new double[2];
        var gates = new double[8];
        var cells = new double[2];

        LstmReference.Forward<double>(1, 2, 1, 1, input, weightIh, weightHh, biasIh, biasHh, output, gates, cells);

        double h = 0, c = 0;
        var expectedGates = new double[8];
        var expectedCells = new double[2];
        var expectedOutput = new double[2];
        for (int t = 0; t < 2; t++)
        {
            double x = input[t];
            double i = Sigmoid(0.5 * x + 0.1 + 1 * h + 0);
            double f = Sigmoid(-0.25 * x + 0.2 + 0.5 * h + 0.1);
            double g = Math.Tanh(1 * x + 0.3 - 1 * h + 0);
            double o = Sigmoid(2 * x + 0.4 + 0.25 * h - 0.1);
            c = f * c + i * g;
            h = o * Math.Tanh(c);
            expectedGates[4 * t] = i;
            expectedGates[4 * t + 1] = f;
            expectedGates[4 * t + 2] = g;
            expectedGates[4 * t + 3] = o;
            expectedCells[t] = c;
            expectedOutput[t] = h;
        }
        AssertClose(expectedGates, gates, 1e-15, "gates");
        AssertClose(expectedCells, cells, 1e-15, "cells");
        AssertClose(expectedOutput, output, 1e-15, "output");
    }

    [Fact]
    public void Forward_SequencesInABatchAreIndependent()
    {
        var random = new Random(2);
        double[] weightIh = RandomArray(random, 4 * 3 * 2);
        double[] weightHh = RandomArray(random, 4 * 3 * 3);
        double[] input = RandomArray(random, 2 * 4 * 2);
        var both = new double[2 * 4 * 3];
        LstmReference.Forward<double>(2, 4, 2, 3, input, weightIh, weightHh, [], [], both, new double[2 * 4 * 12], new double[2 * 4 * 3]);

        var second = new double[4 * 3];
        LstmReference.Forward<double>(1, 4, 2, 3, input.AsSpan(8), weightIh, weightHh, [], [], second, new double[4 * 12], new double[4 * 3]);

        Assert.Equal(second, both.AsSpan(12).ToArray());
    }

    [Theory]
    [InlineData(1, 1, 1, 1, true)]
    [InlineData(2, 3, 2, 3, true)]
    [InlineData(3, 7, 1, 2, false)]
    [InlineData(1, 5, 3, 7, true)]
    [InlineData(2, 2, 17, 1, true)]
    public void Backward_MatchesFiniteDifferences(int batch, int steps, int inputSize, int hidden, bool hasBias)
    {
        var random = new Random(batch * 10_000 + steps * 1000 + inputSize * 100 + hidden);
        int gateRows = 4 * hidden;
        double[] input = RandomArray(random, batch * steps * inputSize);
        double[] weightIh = RandomArray(random, gateRows * inputSize);
        double[] weightHh = RandomArray(random, gateRows * hidden);
        double[] biasIh = hasBias ? RandomArray(random, gateRows) : [];
        double[] biasHh = hasBias ? RandomArray(random, gateRows) : [];
        double[] outputWeights = RandomArray(random, batch * steps * hidden);

        double Objective()
        {
            var y = new double[batch * steps * hidden];
            LstmReference.Forward<double>(batch, steps, inputSize, hidden, input, weightIh, weightHh, biasIh, biasHh, y, new double[batch * steps * gateRows], new double[batch * steps * hidden]);
            return Dot(y, outputWeights);
        }

        var output = new double[batch * steps * hidden];
        var gates = new double[batch * steps * gateRows];
        var cells = new double[batch * steps * hidden];
        LstmReference.Forward<double>(batch, steps, inputSize, hidden, input, weightIh, weightHh, biasIh, biasHh, output, gates, cells);
        double[] dInput = Garbage(input.Length);
        double[] dWeightIh = Garbage(weightIh.Length);
        double[] dWeightHh = Garbage(weightHh.Length);
        double[] dBiasIh = Garbage(gateRows);
        double[] dBiasHh = Garbage(gateRows);
        LstmReference.Backward<double>(batch, steps, inputSize, hidden, input, weightIh, weightHh, output, gates, cells, outputWeights, dInput, dWeightIh, dWeightHh, dBiasIh, dBiasHh);

        Check("dInput", input, Objective, dInput);
        Check("dWeightIh", weightIh, Objective, dWeightIh);
        Check("dWeightHh", weightHh, Objective, dWeightHh);
        if (hasBias)
        {
            Check("dBiasIh", biasIh, Objective, dBiasIh);
            Check("dBiasHh", biasHh, Objective, dBiasHh);
        }
        else
        {
            // Without bias parameters the bias gradients still describe d/d(bias) at bias = 0.
            double[] zeroBias = new double[gateRows];
            biasIh = zeroBias;
            Check("dBiasIh at zero bias", zeroBias, Objective, dBiasIh);
        }
    }

    [Fact]
    public void Backward_EmptyGradientsAreSkipped()
    {
        var random = new Random(4);
        double[] input = RandomArray(random, 2 * 3 * 2);
        double[] weightIh = RandomArray(random, 8 * 2);
        double[] weightHh = RandomArray(random, 8 * 2);
        double[] dOutput = RandomArray(random, 2 * 3 * 2);
        var output = new double[12];
        var gates = new double[48];
        var cells = new double[12];
        LstmReference.Forward<double>(2, 3, 2, 2, input, weightIh, weightHh, [], [], output, gates, cells);

        var allHh = new double[16];
        LstmReference.Backward<double>(2, 3, 2, 2, input, weightIh, weightHh, output, gates, cells, dOutput, new double[12], new double[16], allHh, new double[8], new double[8]);
        var onlyHh = new double[16];
        LstmReference.Backward<double>(2, 3, 2, 2, input, weightIh, weightHh, output, gates, cells, dOutput, [], [], onlyHh, [], []);

        Assert.Equal(allHh, onlyHh);
    }
}
