using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetCompiler.Benchmarks.Profiling;

/// <summary>
/// Hand-written prototypes of the two large MLP products, to show what the emitter could reach:
/// a register-tiled forward over a packed weight panel (broadcast-FMA, no horizontal sums) and a weight gradient
/// whose input block stays in L1 while every output row uses it. Vector512 only; sizes as in the generated kernels.
/// </summary>
internal static class PackedDense
{
    /// <summary>Outputs per packed panel: two Vector512 columns of accumulators.</summary>
    public const int PanelWidth = 32;

    /// <summary>Samples per register tile: 8 rows x 2 vectors = 16 accumulators, 2 weight loads and 8 broadcasts per 16 FMAs.</summary>
    public const int TileRows = 8;

    /// <summary>
    /// Repacks a PyTorch-layout weight [outputs, inputs] into panels [outputs / 32, inputs, 32]: the 32 weights that
    /// one input contributes to a panel's outputs become contiguous, so the tile loads them as two vectors.
    /// </summary>
    public static void PackPanels(ReadOnlySpan<float> weight, int outputs, int inputs, Span<float> packed)
    {
        if (outputs % PanelWidth != 0)
        {
            throw new ArgumentException($"The prototype needs outputs to be a multiple of {PanelWidth}; got {outputs}.", nameof(outputs));
        }

        if (weight.Length != outputs * inputs || packed.Length != outputs * inputs)
        {
            throw new ArgumentException($"Expected {outputs * inputs} weights and packed elements; got {weight.Length} and {packed.Length}.");
        }

        for (int panel = 0; panel < outputs / PanelWidth; panel++)
        {
            Span<float> destination = packed.Slice(panel * inputs * PanelWidth, inputs * PanelWidth); // [inputs, 32]
            for (int j = 0; j < PanelWidth; j++)
            {
                ReadOnlySpan<float> row = weight.Slice((panel * PanelWidth + j) * inputs, inputs); // [inputs]
                for (int k = 0; k < inputs; k++)
                {
                    destination[k * PanelWidth + j] = row[k];
                }
            }
        }
    }

    /// <summary>y = ReLU(x W^T + b) from packed panels; x [batch, inputs], y [batch, outputs].</summary>
    public static void ForwardRelu(int batch, int inputs, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            throw new PlatformNotSupportedException("The prototype needs Vector512 (Vector512.IsHardwareAccelerated is false).");
        }

        if (x.Length < batch * inputs || packed.Length != outputs * inputs || bias.Length != outputs || y.Length < batch * outputs || outputs % PanelWidth != 0)
        {
            throw new ArgumentException($"Sizes do not match batch {batch}, inputs {inputs}, outputs {outputs}.");
        }

        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float yRef = ref MemoryMarshal.GetReference(y);
        for (int panel = 0; panel < outputs / PanelWidth; panel++)
        {
            ref float wRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(packed), panel * inputs * PanelWidth); // [inputs, 32]
            int o = panel * PanelWidth;
            Vector512<float> b0 = Vector512.Create(bias.Slice(o, 16));
            Vector512<float> b1 = Vector512.Create(bias.Slice(o + 16, 16));
            int n = 0;
            for (; n <= batch - TileRows; n += TileRows)
            {
                Tile8(ref Unsafe.Add(ref xRef, n * inputs), inputs, ref wRef, b0, b1, ref Unsafe.Add(ref yRef, n * outputs + o), outputs);
            }

            for (; n < batch; n++)
            {
                ref float xRow = ref Unsafe.Add(ref xRef, n * inputs);
                Vector512<float> acc0 = b0, acc1 = b1;
                for (int k = 0; k < inputs; k++)
                {
                    Vector512<float> xk = Vector512.Create(Unsafe.Add(ref xRow, k));
                    acc0 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref wRef, (nuint)(k * PanelWidth)), acc0);
                    acc1 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref wRef, (nuint)(k * PanelWidth + 16)), acc1);
                }

                Vector512.Max(acc0, Vector512<float>.Zero).StoreUnsafe(ref yRef, (nuint)(n * outputs + o));
                Vector512.Max(acc1, Vector512<float>.Zero).StoreUnsafe(ref yRef, (nuint)(n * outputs + o + 16));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8(ref float x, int inputs, ref float w, Vector512<float> b0, Vector512<float> b1, ref float y, int outputs)
    {
        Vector512<float> a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        Vector512<float> a40 = b0, a41 = b1, a50 = b0, a51 = b1, a60 = b0, a61 = b1, a70 = b0, a71 = b1;
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, inputs);
        ref float x2 = ref Unsafe.Add(ref x, 2 * inputs);
        ref float x3 = ref Unsafe.Add(ref x, 3 * inputs);
        ref float x4 = ref Unsafe.Add(ref x, 4 * inputs);
        ref float x5 = ref Unsafe.Add(ref x, 5 * inputs);
        ref float x6 = ref Unsafe.Add(ref x, 6 * inputs);
        ref float x7 = ref Unsafe.Add(ref x, 7 * inputs);
        for (int k = 0; k < inputs; k++)
        {
            Vector512<float> w0 = Vector512.LoadUnsafe(ref w, (nuint)(k * PanelWidth));
            Vector512<float> w1 = Vector512.LoadUnsafe(ref w, (nuint)(k * PanelWidth + 16));
            Vector512<float> s = Vector512.Create(Unsafe.Add(ref x0, k));
            a00 = Vector512.FusedMultiplyAdd(s, w0, a00);
            a01 = Vector512.FusedMultiplyAdd(s, w1, a01);
            s = Vector512.Create(Unsafe.Add(ref x1, k));
            a10 = Vector512.FusedMultiplyAdd(s, w0, a10);
            a11 = Vector512.FusedMultiplyAdd(s, w1, a11);
            s = Vector512.Create(Unsafe.Add(ref x2, k));
            a20 = Vector512.FusedMultiplyAdd(s, w0, a20);
            a21 = Vector512.FusedMultiplyAdd(s, w1, a21);
            s = Vector512.Create(Unsafe.Add(ref x3, k));
            a30 = Vector512.FusedMultiplyAdd(s, w0, a30);
            a31 = Vector512.FusedMultiplyAdd(s, w1, a31);
            s = Vector512.Create(Unsafe.Add(ref x4, k));
            a40 = Vector512.FusedMultiplyAdd(s, w0, a40);
            a41 = Vector512.FusedMultiplyAdd(s, w1, a41);
            s = Vector512.Create(Unsafe.Add(ref x5, k));
            a50 = Vector512.FusedMultiplyAdd(s, w0, a50);
            a51 = Vector512.FusedMultiplyAdd(s, w1, a51);
            s = Vector512.Create(Unsafe.Add(ref x6, k));
            a60 = Vector512.FusedMultiplyAdd(s, w0, a60);
            a61 = Vector512.FusedMultiplyAdd(s, w1, a61);
            s = Vector512.Create(Unsafe.Add(ref x7, k));
            a70 = Vector512.FusedMultiplyAdd(s, w0, a70);
            a71 = Vector512.FusedMultiplyAdd(s, w1, a71);
        }

        Vector512<float> zero = Vector512<float>.Zero;
        Vector512.Max(a00, zero).StoreUnsafe(ref y, 0);
        Vector512.Max(a01, zero).StoreUnsafe(ref y, 16);
        Vector512.Max(a10, zero).StoreUnsafe(ref y, (nuint)outputs);
        Vector512.Max(a11, zero).StoreUnsafe(ref y, (nuint)(outputs + 16));
        Vector512.Max(a20, zero).StoreUnsafe(ref y, (nuint)(2 * outputs));
        Vector512.Max(a21, zero).StoreUnsafe(ref y, (nuint)(2 * outputs + 16));
        Vector512.Max(a30, zero).StoreUnsafe(ref y, (nuint)(3 * outputs));
        Vector512.Max(a31, zero).StoreUnsafe(ref y, (nuint)(3 * outputs + 16));
        Vector512.Max(a40, zero).StoreUnsafe(ref y, (nuint)(4 * outputs));
        Vector512.Max(a41, zero).StoreUnsafe(ref y, (nuint)(4 * outputs + 16));
        Vector512.Max(a50, zero).StoreUnsafe(ref y, (nuint)(5 * outputs));
        Vector512.Max(a51, zero).StoreUnsafe(ref y, (nuint)(5 * outputs + 16));
        Vector512.Max(a60, zero).StoreUnsafe(ref y, (nuint)(6 * outputs));
        Vector512.Max(a61, zero).StoreUnsafe(ref y, (nuint)(6 * outputs + 16));
        Vector512.Max(a70, zero).StoreUnsafe(ref y, (nuint)(7 * outputs));
        Vector512.Max(a71, zero).StoreUnsafe(ref y, (nuint)(7 * outputs + 16));
    }

    /// <summary>
    /// dWeight = dZ^T x, dBias = column sums of dZ; dZ [batch, outputs], x [batch, inputs], dWeight [outputs, inputs].
    /// The input block (64 columns of every sample) is the outer loop, so it is read from L1 by all output rows;
    /// each tile is 4 output rows x 64 inputs: 16 accumulators, 4 loads and 4 broadcasts per 16 FMAs.
    /// </summary>
    public static void WeightGradient(int batch, int inputs, int outputs, ReadOnlySpan<float> dZ, ReadOnlySpan<float> x, Span<float> dWeight, Span<float> dBias)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            throw new PlatformNotSupportedException("The prototype needs Vector512 (Vector512.IsHardwareAccelerated is false).");
        }

        if (inputs % 16 != 0 || outputs % 4 != 0 || dZ.Length < batch * outputs || x.Length < batch * inputs
            || dWeight.Length != outputs * inputs || dBias.Length != outputs)
        {
            throw new ArgumentException($"Sizes do not match batch {batch}, inputs {inputs} (a multiple of 16), outputs {outputs} (a multiple of 4).");
        }

        ref float dZRef = ref MemoryMarshal.GetReference(dZ);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float dWRef = ref MemoryMarshal.GetReference(dWeight);
        int i = 0;
        for (; i <= inputs - 64; i += 64)
        {
            for (int o = 0; o < outputs; o += 4)
            {
                Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
                Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
                Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
                for (int n = 0; n < batch; n++)
                {
                    ref float xRow = ref Unsafe.Add(ref xRef, n * inputs + i);
                    ref float d = ref Unsafe.Add(ref dZRef, n * outputs + o);
                    Vector512<float> x0 = Vector512.LoadUnsafe(ref xRow, 0);
                    Vector512<float> x1 = Vector512.LoadUnsafe(ref xRow, 16);
                    Vector512<float> x2 = Vector512.LoadUnsafe(ref xRow, 32);
                    Vector512<float> x3 = Vector512.LoadUnsafe(ref xRow, 48);
                    Vector512<float> s = Vector512.Create(d);
                    a00 = Vector512.FusedMultiplyAdd(s, x0, a00);
                    a01 = Vector512.FusedMultiplyAdd(s, x1, a01);
                    a02 = Vector512.FusedMultiplyAdd(s, x2, a02);
                    a03 = Vector512.FusedMultiplyAdd(s, x3, a03);
                    s = Vector512.Create(Unsafe.Add(ref d, 1));
                    a10 = Vector512.FusedMultiplyAdd(s, x0, a10);
                    a11 = Vector512.FusedMultiplyAdd(s, x1, a11);
                    a12 = Vector512.FusedMultiplyAdd(s, x2, a12);
                    a13 = Vector512.FusedMultiplyAdd(s, x3, a13);
                    s = Vector512.Create(Unsafe.Add(ref d, 2));
                    a20 = Vector512.FusedMultiplyAdd(s, x0, a20);
                    a21 = Vector512.FusedMultiplyAdd(s, x1, a21);
                    a22 = Vector512.FusedMultiplyAdd(s, x2, a22);
                    a23 = Vector512.FusedMultiplyAdd(s, x3, a23);
                    s = Vector512.Create(Unsafe.Add(ref d, 3));
                    a30 = Vector512.FusedMultiplyAdd(s, x0, a30);
                    a31 = Vector512.FusedMultiplyAdd(s, x1, a31);
                    a32 = Vector512.FusedMultiplyAdd(s, x2, a32);
                    a33 = Vector512.FusedMultiplyAdd(s, x3, a33);
                }

                ref float row0 = ref Unsafe.Add(ref dWRef, o * inputs + i);
                ref float row1 = ref Unsafe.Add(ref row0, inputs);
                ref float row2 = ref Unsafe.Add(ref row0, 2 * inputs);
                ref float row3 = ref Unsafe.Add(ref row0, 3 * inputs);
                a00.StoreUnsafe(ref row0, 0); a01.StoreUnsafe(ref row0, 16); a02.StoreUnsafe(ref row0, 32); a03.StoreUnsafe(ref row0, 48);
                a10.StoreUnsafe(ref row1, 0); a11.StoreUnsafe(ref row1, 16); a12.StoreUnsafe(ref row1, 32); a13.StoreUnsafe(ref row1, 48);
                a20.StoreUnsafe(ref row2, 0); a21.StoreUnsafe(ref row2, 16); a22.StoreUnsafe(ref row2, 32); a23.StoreUnsafe(ref row2, 48);
                a30.StoreUnsafe(ref row3, 0); a31.StoreUnsafe(ref row3, 16); a32.StoreUnsafe(ref row3, 32); a33.StoreUnsafe(ref row3, 48);
            }
        }

        for (; i < inputs; i += 16)
        {
            for (int o = 0; o < outputs; o += 4)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int n = 0; n < batch; n++)
                {
                    Vector512<float> xv = Vector512.LoadUnsafe(ref xRef, (nuint)(n * inputs + i));
                    ref float d = ref Unsafe.Add(ref dZRef, n * outputs + o);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(d), xv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref d, 1)), xv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref d, 2)), xv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref d, 3)), xv, a3);
                }

                a0.StoreUnsafe(ref dWRef, (nuint)(o * inputs + i));
                a1.StoreUnsafe(ref dWRef, (nuint)((o + 1) * inputs + i));
                a2.StoreUnsafe(ref dWRef, (nuint)((o + 2) * inputs + i));
                a3.StoreUnsafe(ref dWRef, (nuint)((o + 3) * inputs + i));
            }
        }

        dBias.Clear();
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> row = dZ.Slice(n * outputs, outputs);
            for (int o = 0; o < outputs; o++)
            {
                dBias[o] += row[o];
            }
        }
    }
}
