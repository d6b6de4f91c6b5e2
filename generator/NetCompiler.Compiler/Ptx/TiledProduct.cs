using System;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>
/// The shared-memory tiled product <c>C[M, N] = A[M, K] · B[K, N]</c> behind the dense and the conv GEMMs.
/// Each block computes a 64x64 tile of C with 256 threads; each thread keeps a 4x4 register block (rows
/// <c>ty + 16 r</c>, columns <c>tx + 16 c</c>, so global stores and shared reads are contiguous across a warp).
/// K is walked in steps of 16 through two shared-memory tiles; how A and B are addressed in global memory is up to
/// their <see cref="TileLoader"/>. Range checks are emitted only where an extent is not a compile-time tile multiple.
/// </summary>
internal static class TiledProduct
{
    /// <summary>Output rows and columns per block.</summary>
    public const int Tile = 64;

    /// <summary>Reduction depth per shared-memory stage.</summary>
    public const int TileK = 16;

    /// <summary>Threads per block: a 16x16 grid, each owning a 4x4 register block (64 / 16 = 4 per side).</summary>
    public const int Threads = 256;

    public const int ThreadsPerSide = 16;

    public const int RegisterBlock = 4;

    // One float of padding per shared row skews the columns across banks, so the transposed store of a
    // K-contiguous operand (16 consecutive k into one column) is at most 2-way bank-conflicted instead of 16-way.
    public const int SharedStride = Tile + 1;

    private const int SharedTileBytes = TileK * SharedStride * 4;

    /// <summary>Dynamic shared memory of every tiled product: one A tile and one B tile.</summary>
    public const int SharedMemoryBytes = 2 * SharedTileBytes;

    /// <summary>The launch of a product whose output columns are covered by <paramref name="columns"/> and rows by <paramref name="rows"/>.</summary>
    public static PtxLaunch Launch(string name, PtxGridDim columns, PtxGridDim rows) =>
        new PtxLaunch(name, columns, rows, Threads, 1, SharedMemoryBytes);

    public static string Name(string prefix, int index) => prefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The instruction prefix that predicates on <paramref name="predicate"/>, or none.</summary>
    public static string Guard(string? predicate) => predicate is null ? "" : $"@{predicate} ";

    /// <summary>Returns the conjunction of two optional predicates, writing it to <paramref name="name"/> only when both exist.</summary>
    public static string? Both(PtxKernelBuilder kernel, string? first, string? second, string name)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        string both = kernel.Pred(name);
        kernel.Body.Line($"and.pred {both}, {first}, {second};");
        return both;
    }

    /// <summary>
    /// Emits thread indexing, the K loop (global -> shared tiles, 16 unrolled rank-1 updates of the 4x4 register block)
    /// and the output coordinates. <paramref name="tileSetup"/> runs after the thread indexing, <paramref name="perStage"/>
    /// after each stage's updates, while the shared tiles still hold the stage.
    /// </summary>
    public static ProductTile Emit(PtxKernelBuilder kernel, Extent m, Extent n, Extent k, TileLoader a, TileLoader b, Action<ProductTile>? tileSetup = null, Action<ProductTile>? perStage = null)
    {
        kernel.UseSharedMemory(SharedMemoryBytes);
        var w = kernel.Body;
        var tile = new ProductTile(kernel);
        string sharedB = kernel.U32("shared_b");
        w.Line();
        w.Comment($"Thread (ty, tx) of the 16x16 grid owns rows row_base + ty + 16 r and columns column_base + tx + 16 c.");
        w.Line($"mov.u32 {tile.ThreadId}, %tid.x;");
        w.Line($"and.b32 {tile.Tx}, {tile.ThreadId}, {ThreadsPerSide - 1};");
        w.Line($"shr.u32 {tile.Ty}, {tile.ThreadId}, 4;");
        w.Line($"mov.u32 {tile.ColumnBase}, %ctaid.x;");
        w.Line($"shl.b32 {tile.ColumnBase}, {tile.ColumnBase}, 6;");
        w.Line($"mov.u32 {tile.RowBase}, %ctaid.y;");
        w.Line($"shl.b32 {tile.RowBase}, {tile.RowBase}, 6;");
        w.Line($"mov.u32 {tile.SharedA}, {kernel.SharedSymbol};");
        w.Line($"add.u32 {sharedB}, {tile.SharedA}, {SharedTileBytes};");
        tileSetup?.Invoke(tile);

        a.EmitSetup(kernel, tile, m, tile.RowBase, tile.SharedA);
        b.EmitSetup(kernel, tile, n, tile.ColumnBase, sharedB);
        string readA = kernel.U32("a_read");
        string readB = kernel.U32("b_read");
        w.Line($"mad.lo.u32 {readA}, {tile.Ty}, 4, {tile.SharedA};");
        w.Line($"mad.lo.u32 {readB}, {tile.Tx}, 4, {sharedB};");
        for (int r = 0; r < RegisterBlock; r++)
        {
            for (int c = 0; c < RegisterBlock; c++)
            {
                string acc = kernel.F32(FormattableString.Invariant($"acc_{r}_{c}"));
                tile.Accumulators[r, c] = acc;
                w.Line($"mov.f32 {acc}, {PtxActivationEmitter.Zero};");
            }
        }

        string kBase = kernel.U32("k_base");
        string more = kernel.Pred("more_k");
        w.Line($"mov.u32 {kBase}, 0;");
        w.Line();
        w.Label("K_LOOP");
        w.Comment($"Stage a {TileK}-deep slice of A and B into shared memory, zero-filled outside the matrices.");
        a.EmitStage(kernel, k, kBase);
        b.EmitStage(kernel, k, kBase);
        w.Line($"bar.sync 0;");
        string[] fragA = new string[RegisterBlock];
        string[] fragB = new string[RegisterBlock];
        for (int i = 0; i < RegisterBlock; i++)
        {
            fragA[i] = kernel.F32(Name("a_frag", i));
            fragB[i] = kernel.F32(Name("b_frag", i));
        }

        for (int kk = 0; kk < TileK; kk++)
        {
            w.Comment($"k = k_base + {kk}");
            for (int r = 0; r < RegisterBlock; r++)
            {
                w.Line($"ld.shared.f32 {fragA[r]}, [{readA}+{(kk * SharedStride + ThreadsPerSide * r) * 4}];");
            }

            for (int c = 0; c < RegisterBlock; c++)
            {
                w.Line($"ld.shared.f32 {fragB[c]}, [{readB}+{(kk * SharedStride + ThreadsPerSide * c) * 4}];");
            }

            for (int r = 0; r < RegisterBlock; r++)
            {
                for (int c = 0; c < RegisterBlock; c++)
                {
                    w.Line($"fma.rn.f32 {tile.Accumulators[r, c]}, {fragA[r]}, {fragB[c]}, {tile.Accumulators[r, c]};");
                }
            }
        }

        perStage?.Invoke(tile);
        w.Line($"bar.sync 0;");
        a.EmitAdvance(kernel);
        b.EmitAdvance(kernel);
        w.Line($"add.u32 {kBase}, {kBase}, {TileK};");
        w.Line($"setp.lt.u32 {more}, {kBase}, {k.Operand};");
        w.Line($"@{more} bra K_LOOP;");

        w.Line();
        w.Comment($"Output coordinates of the register block.");
        for (int i = 0; i < RegisterBlock; i++)
        {
            tile.Rows[i] = EmitCoordinate(kernel, "row", i, tile.RowBase, tile.Ty, m, out tile.RowInRange[i]);
        }

        for (int i = 0; i < RegisterBlock; i++)
        {
            tile.Columns[i] = EmitCoordinate(kernel, "column", i, tile.ColumnBase, tile.Tx, n, out tile.ColumnInRange[i]);
        }

        return tile;
    }

    /// <summary>
    /// Calls <paramref name="store"/> for each of the 16 outputs, column by column, with its register position, address
    /// and store guard. Output (row, column) lives at <c>rowOffsets[r] + columnOffsets[c]</c> elements from <paramref name="output"/>.
    /// </summary>
    public static void EmitStores(PtxKernelBuilder kernel, ProductTile tile, string output, string[] rowOffsets, string[] columnOffsets, Action<int, int, string, string> store)
    {
        var w = kernel.Body;
        string index = kernel.U32("out_index");
        string address = kernel.U64("out_address");
        for (int c = 0; c < RegisterBlock; c++)
        {
            for (int r = 0; r < RegisterBlock; r++)
            {
                string guard = Guard(Both(kernel, tile.RowInRange[r], tile.ColumnInRange[c], "out_in_range"));
                w.Line($"add.u32 {index}, {rowOffsets[r]}, {columnOffsets[c]};");
                kernel.ElementAddress(address, output, index);
                store(r, c, address, guard);
            }
        }
    }

    /// <summary>
    /// Loads <c>bias[coordinates[i]]</c> for the 4 rows or columns of the register block (0 where out of range), or
    /// returns null when there is no bias.
    /// </summary>
    public static string[]? EmitBiasLoads(PtxKernelBuilder kernel, string? bias, string[] coordinates, string?[] inRange, string prefix)
    {
        if (bias is null)
        {
            return null;
        }

        var w = kernel.Body;
        string address = kernel.U64("bias_address");
        string[] values = new string[RegisterBlock];
        for (int i = 0; i < RegisterBlock; i++)
        {
            values[i] = kernel.F32(Name(prefix, i));
            w.Line($"mov.f32 {values[i]}, {PtxActivationEmitter.Zero};");
            kernel.ElementAddress(address, bias, coordinates[i]);
            w.Line($"{Guard(inRange[i])}ld.global.nc.f32 {values[i]}, [{address}];");
        }

        return values;
    }

    /// <summary>Emits <c>value = activation(accumulator + bias)</c>, without the addition when <paramref name="bias"/> is null.</summary>
    public static void EmitBiasActivation(PtxKernelBuilder kernel, string accumulator, string? bias, PtxActivation activation, string value)
    {
        if (bias is null)
        {
            kernel.Body.Line($"mov.f32 {value}, {accumulator};");
        }
        else
        {
            kernel.Body.Line($"add.f32 {value}, {accumulator}, {bias};");
        }

        PtxActivationEmitter.Forward(kernel, activation, value, value);
    }

    // base + local + 16 i, with its range test unless the extent is a tile multiple.
    private static string EmitCoordinate(PtxKernelBuilder kernel, string prefix, int i, string tileBase, string local, Extent extent, out string? inRange)
    {
        var w = kernel.Body;
        string coordinate = kernel.U32(Name(prefix, i));
        w.Line($"add.u32 {coordinate}, {tileBase}, {local};");
        if (i > 0)
        {
            w.Line($"add.u32 {coordinate}, {coordinate}, {ThreadsPerSide * i};");
        }

        inRange = null;
        if (!extent.IsMultipleOf(Tile))
        {
            inRange = kernel.Pred(Name(prefix + "_ok", i));
            w.Line($"setp.lt.u32 {inRange}, {coordinate}, {extent.Operand};");
        }

        return coordinate;
    }

    /// <summary>A matrix extent: a compile-time constant or a run-time register (the batch, or batch · positions).</summary>
    internal readonly struct Extent
    {
        private Extent(string operand, int value)
        {
            Operand = operand;
            Value = value;
        }

        /// <summary>PTX operand: an immediate or a register.</summary>
        public string Operand { get; }

        /// <summary>The constant value, or 0 for a run-time extent.</summary>
        public int Value { get; }

        public static Extent Constant(int value) => new Extent(value.ToString(CultureInfo.InvariantCulture), value);

        public static Extent Runtime(string register) => new Extent(register, 0);

        public bool IsMultipleOf(int tile) => Value > 0 && Value % tile == 0;
    }
}

/// <summary>The registers of one thread's part of a tiled product.</summary>
internal sealed class ProductTile
{
    public ProductTile(PtxKernelBuilder kernel)
    {
        ThreadId = kernel.U32("thread");
        Tx = kernel.U32("tx");
        Ty = kernel.U32("ty");
        RowBase = kernel.U32("row_base");
        ColumnBase = kernel.U32("column_base");
        SharedA = kernel.U32("shared_a");
    }

    public string ThreadId { get; }

    public string Tx { get; }

    public string Ty { get; }

    public string RowBase { get; }

    public string ColumnBase { get; }

    public string SharedA { get; }

    public string[,] Accumulators { get; } = new string[TiledProduct.RegisterBlock, TiledProduct.RegisterBlock];

    public string[] Rows { get; } = new string[TiledProduct.RegisterBlock];

    public string[] Columns { get; } = new string[TiledProduct.RegisterBlock];

    /// <summary>Range predicates of the rows; null where the row extent is a tile multiple.</summary>
    public string?[] RowInRange { get; } = new string?[TiledProduct.RegisterBlock];

    /// <summary>Range predicates of the columns; null where the column extent is a tile multiple.</summary>
    public string?[] ColumnInRange { get; } = new string?[TiledProduct.RegisterBlock];
}

/// <summary>
/// Stages one operand of a <see cref="TiledProduct"/> into its shared tile ([k][outer] layout), 4 elements per thread
/// a stage. K-contiguous operands are read as 16 consecutive k by 16 rows (64-byte segments), the others as 64
/// consecutive rows by 4 k (256-byte segments). Subclasses decide how (outer, k) maps to a global address.
/// </summary>
internal abstract class TileLoader
{
    protected TileLoader(string prefix, string pointer, bool kContiguous)
    {
        Prefix = prefix;
        Pointer = pointer;
        KContiguous = kContiguous;
    }

    public string Prefix { get; }

    public string Pointer { get; }

    /// <summary>True when consecutive k are adjacent in memory, so a warp's loads coalesce along k.</summary>
    public bool KContiguous { get; }

    /// <summary>The k each load adds to the thread's base k.</summary>
    protected int[] KSteps { get; } = new int[TiledProduct.RegisterBlock];

    /// <summary>Range predicates of each load's outer index; null where the outer extent is a tile multiple.</summary>
    protected string?[] OuterInRange { get; } = new string?[TiledProduct.RegisterBlock];

    protected string KLocal { get; private set; } = "";

    private readonly int[] _storeOffsets = new int[TiledProduct.RegisterBlock];
    private string _store = "";

    /// <summary>Emits the per-thread constants: which (outer, k) each of the 4 loads covers and the shared store address.</summary>
    public void EmitSetup(PtxKernelBuilder kernel, ProductTile tile, TiledProduct.Extent outer, string outerBase, string sharedBase)
    {
        var w = kernel.Body;
        string p = Prefix;
        w.Line();
        w.Comment($"Staging of {p.ToUpperInvariant()}: {(KContiguous ? "thread loads k = tx, outer = ty + 16 r" : "thread loads outer = tid % 64, k = tid / 64 + 4 r")}.");
        string outerLocal = kernel.U32(p + "_outer_local");
        KLocal = kernel.U32(p + "_k_local");
        _store = kernel.U32(p + "_store");
        if (KContiguous)
        {
            w.Line($"mov.u32 {outerLocal}, {tile.Ty};");
            w.Line($"mov.u32 {KLocal}, {tile.Tx};");
        }
        else
        {
            w.Line($"and.b32 {outerLocal}, {tile.ThreadId}, {TiledProduct.Tile - 1};");
            w.Line($"shr.u32 {KLocal}, {tile.ThreadId}, 6;");
        }

        w.Line($"mad.lo.u32 {_store}, {KLocal}, {TiledProduct.SharedStride}, {outerLocal};");
        w.Line($"mad.lo.u32 {_store}, {_store}, 4, {sharedBase};");
        string outerIndex = kernel.U32(p + "_outer");
        for (int r = 0; r < TiledProduct.RegisterBlock; r++)
        {
            // Load r covers outer + 16 r (K-contiguous) or k + 4 r (outer-contiguous).
            int outerStep = KContiguous ? TiledProduct.ThreadsPerSide * r : 0;
            KSteps[r] = KContiguous ? 0 : 4 * r;
            _storeOffsets[r] = (KSteps[r] * TiledProduct.SharedStride + outerStep) * 4;
            if (r > 0 && !KContiguous)
            {
                // Outer-contiguous loads share one outer index; only k differs.
                OuterInRange[r] = OuterInRange[0];
                EmitLoadSetup(kernel, r, outerIndex);
                continue;
            }

            w.Line($"add.u32 {outerIndex}, {outerBase}, {outerLocal};");
            if (outerStep > 0)
            {
                w.Line($"add.u32 {outerIndex}, {outerIndex}, {outerStep};");
            }

            if (!outer.IsMultipleOf(TiledProduct.Tile))
            {
                OuterInRange[r] = kernel.Pred(TiledProduct.Name(p + "_outer_ok", r));
                w.Line($"setp.lt.u32 {OuterInRange[r]}, {outerIndex}, {outer.Operand};");
            }

            EmitLoadSetup(kernel, r, outerIndex);
        }
    }

    /// <summary>Emits the loads of one stage starting at <paramref name="kBase"/>, each into its shared slot.</summary>
    public abstract void EmitStage(PtxKernelBuilder kernel, TiledProduct.Extent k, string kBase);

    /// <summary>Emits what moves the loader to the next stage, after the stage has been consumed.</summary>
    public virtual void EmitAdvance(PtxKernelBuilder kernel)
    {
    }

    /// <summary>Emits the per-thread address constants of load <paramref name="r"/>, whose outer index is in <paramref name="outerIndex"/>.</summary>
    protected abstract void EmitLoadSetup(PtxKernelBuilder kernel, int r, string outerIndex);

    /// <summary>Emits <c>k = kBase + KLocal + KSteps[r]</c> into <paramref name="kIndex"/> and, unless K is a tile multiple, its range test.</summary>
    protected string? EmitK(PtxKernelBuilder kernel, int r, TiledProduct.Extent k, string kBase, string kIndex)
    {
        var w = kernel.Body;
        w.Line($"add.u32 {kIndex}, {kBase}, {KLocal};");
        if (KSteps[r] > 0)
        {
            w.Line($"add.u32 {kIndex}, {kIndex}, {KSteps[r]};");
        }

        if (k.IsMultipleOf(TiledProduct.TileK))
        {
            return null;
        }

        // K-contiguous loads share one k per thread, so one predicate serves all four.
        string kOk = kernel.Pred(TiledProduct.Name(Prefix + "_k_ok", KContiguous ? 0 : r));
        w.Line($"setp.lt.u32 {kOk}, {kIndex}, {k.Operand};");
        return kOk;
    }

    /// <summary>Loads the element at <paramref name="address"/> (0 where <paramref name="guard"/> is false) into load <paramref name="r"/>'s shared slot.</summary>
    protected void EmitLoad(PtxKernelBuilder kernel, int r, string? guard, string address)
    {
        var w = kernel.Body;
        string value = kernel.F32(Prefix + "_value");
        if (guard is not null)
        {
            w.Line($"mov.f32 {value}, {PtxActivationEmitter.Zero};");
        }

        w.Line($"{TiledProduct.Guard(guard)}ld.global.nc.f32 {value}, [{address}];");
        w.Line($"st.shared.f32 [{_store}+{_storeOffsets[r]}], {value};");
    }
}
