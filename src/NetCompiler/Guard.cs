using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NetCompiler;

/// <summary>Argument checks used by generated code. Each throws with the expected and the actual value; the checks are a few compares per call.</summary>
public static class Guard
{
    /// <summary>Checks that a span holds whole samples and returns the batch size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BatchOf(int length, int sampleSize, int capacity, string paramName)
    {
        int batch = length / sampleSize;
        if (batch * sampleSize != length || batch == 0 || batch > capacity)
            ThrowBatch(length, sampleSize, capacity, paramName);
        return batch;
    }

    /// <summary>Checks that a span has exactly <paramref name="expected"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, int expected, string paramName)
    {
        if (actual != expected) ThrowLength(actual, expected, paramName);
    }

    /// <summary>Checks that every label is in <c>[0, classes)</c>.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int classes, string paramName)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes) ThrowLabel(i, labels[i], classes, paramName);
    }

    /// <summary>Whether every value is finite (no NaN, no infinity).</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    [DoesNotReturn]
    private static void ThrowBatch(int length, int sampleSize, int capacity, string paramName)
    {
        if (length % sampleSize != 0 || length == 0)
            throw new ArgumentException($"Expected a whole number of samples of {sampleSize} elements each (1 to {capacity} samples), but the span has {length} elements.", paramName);
        throw new ArgumentException($"The batch has {length / sampleSize} samples ({length} elements), above the capacity of {capacity} samples this network was constructed with; pass a larger batchCapacity to the constructor.", paramName);
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string paramName) =>
        throw new ArgumentException($"Expected {expected} elements, but the span has {actual}.", paramName);

    [DoesNotReturn]
    private static void ThrowLabel(int index, int label, int classes, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, label, $"Label {label} at index {index} is outside [0, {classes - 1}].");
}
