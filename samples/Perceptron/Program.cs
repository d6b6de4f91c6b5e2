// Rosenblatt's perceptron (1958) on a linearly separable 2-D set: the perceptron rule, as the gradient step of the
// perceptron criterion max(0, -y·z), updates the weights only on mistakes, and on separable data it stops making them
// after finitely many updates (Novikoff, 1962).
using NetCompiler;

const int Count = 200;
var random = new Random(7);
float[] points = new float[Count * 2]; // [200, 2]
float[] labels = new float[Count];     // [200, 1], 1 above the line 0.8x - y + 0.3 = 0, else 0
for (int i = 0; i < Count; i++)
{
    float x, y, side;
    do
    {
        x = random.NextSingle() * 4f - 2f;
        y = random.NextSingle() * 4f - 2f;
        side = 0.8f * x - y + 0.3f;
    }
    while (MathF.Abs(side) < 0.1f); // a margin, so the data is strictly separable
    points[2 * i] = x;
    points[2 * i + 1] = y;
    labels[i] = side > 0 ? 1f : 0f;
}

var perceptron = new Perceptron(batchCapacity: 1);
int epoch = 0, mistakes;
do
{
    epoch++;
    mistakes = 0;
    for (int i = 0; i < Count; i++) // online, one sample per step, as Rosenblatt's machine
    {
        float loss = perceptron.TrainStep(points.AsSpan(2 * i, 2), labels.AsSpan(i, 1));
        if (loss > 0f || Predict(i) != labels[i]) mistakes++;
    }
    Console.WriteLine($"epoch {epoch,3}  mistakes {mistakes,3}");
}
while (mistakes > 0 && epoch < 100);

int correct = 0;
for (int i = 0; i < Count; i++) if (Predict(i) == labels[i]) correct++;
Span<float> w = perceptron.Layer0Weight, b = perceptron.Layer0Bias;
Console.WriteLine($"converged after {epoch} epochs: {w[0]:F3}·x + {w[1]:F3}·y + {b[0]:F3} > 0");
Console.WriteLine($"perceptron accuracy: {correct / (float)Count:F4}");

float Predict(int i)
{
    Span<float> score = stackalloc float[1];
    perceptron.Forward(points.AsSpan(2 * i, 2), score);
    return score[0] > 0f ? 1f : 0f;
}

/// <summary>One linear threshold unit trained with the perceptron rule.</summary>
[Network(Input = [2])]
[Dense(1)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 1f)]
public partial class Perceptron;
