using System;
using System.Collections.Generic;
using System.Linq;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// One grid dimension as a function of the run-time batch size:
/// <c>ceil((BatchScale * batch + Offset) / Divisor)</c> blocks.
/// </summary>
/// <param name="BatchScale">Work items per batch row (0 when the extent does not depend on the batch).</param>
/// <param name="Offset">Work items independent of the batch.</param>
/// <param name="Divisor">Work items covered by one block along this dimension.</param>
public sealed record PtxGridDim(long BatchScale, long Offset, int Divisor)
{
    /// <summary>A dimension of exactly one block.</summary>
    public static PtxGridDim One { get; } = new PtxGridDim(0, 1, 1);

    /// <summary>Blocks for a fixed extent of <paramref name="items"/> work items.</summary>
    public static PtxGridDim Fixed(long items, int divisor) => new PtxGridDim(0, items, divisor);

    /// <summary>Blocks for <paramref name="itemsPerRow"/> work items per batch row.</summary>
    public static PtxGridDim PerBatch(long itemsPerRow, int divisor) => new PtxGridDim(itemsPerRow, 0, divisor);

    /// <summary>Number of blocks for <paramref name="batch"/> rows (0 when there is no work).</summary>
    public long Blocks(int batch)
    {
        if (batch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be non-negative, but was {batch}.");
        }

        long items = BatchScale * batch + Offset;
        return (items + Divisor - 1) / Divisor;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string batch = BatchScale == 1 ? "batch" : FormattableString.Invariant($"{BatchScale} * batch");
        return BatchScale == 0 ? FormattableString.Invariant($"ceil({Offset} / {Divisor})")
            : Offset == 0 ? FormattableString.Invariant($"ceil({batch} / {Divisor})")
            : FormattableString.Invariant($"ceil(({batch} + {Offset}) / {Divisor})");
    }
}

/// <summary>How a kernel is launched.</summary>
/// <param name="KernelName">The <c>.entry</c> name in the module.</param>
/// <param name="GridX">Blocks along x as a function of the batch size.</param>
/// <param name="GridY">Blocks along y as a function of the batch size.</param>
/// <param name="BlockX">Threads per block along x.</param>
/// <param name="BlockY">Threads per block along y.</param>
/// <param name="SharedMemoryBytes">Dynamic shared memory to pass at launch (the kernel declares it <c>.extern .shared</c>).</param>
public sealed record PtxLaunch(string KernelName, PtxGridDim GridX, PtxGridDim GridY, int BlockX, int BlockY, int SharedMemoryBytes)
{
    /// <summary>Threads per block.</summary>
    public int ThreadsPerBlock => BlockX * BlockY;
}

/// <summary>The kind of a kernel parameter.</summary>
public enum PtxParameterKind
{
    /// <summary>A 64-bit global-memory pointer to 32-bit elements (<c>.u64</c>).</summary>
    Pointer,

    /// <summary>An unsigned 32-bit integer (<c>.u32</c>), e.g. the batch size.</summary>
    UInt32,

    /// <summary>A 32-bit float (<c>.f32</c>), e.g. a learning rate.</summary>
    Float32,

    /// <summary>An unsigned 64-bit integer (<c>.u64</c>) that is not an address, e.g. a dropout key.</summary>
    UInt64,
}

/// <summary>One kernel parameter, in launch order.</summary>
/// <param name="Name">Parameter name in the PTX text.</param>
/// <param name="Kind">Its type.</param>
/// <param name="Shape">Shape comment for pointers (<c>[batch, 784]</c>); empty for scalars.</param>
public sealed record PtxParameter(string Name, PtxParameterKind Kind, string Shape);

/// <summary>A generated kernel: its PTX text (module-level declarations and the <c>.entry</c>), parameters and launch description.</summary>
public sealed record PtxKernel(string Name, string Text, IReadOnlyList<PtxParameter> Parameters, PtxLaunch Launch)
{
    /// <inheritdoc/>
    public bool Equals(PtxKernel? other) =>
        other is not null
        && Name == other.Name
        && Text == other.Text
        && Parameters.SequenceEqual(other.Parameters)
        && Launch == other.Launch;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = Name.GetHashCode();
        hash = unchecked(hash * 31 + Text.GetHashCode());
        return unchecked(hash * 31 + Launch.GetHashCode());
    }
}
