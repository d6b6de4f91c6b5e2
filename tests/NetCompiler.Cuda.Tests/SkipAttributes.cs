using System.Runtime.InteropServices;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>A fact that needs ptxas; skipped with the reason when it is absent.</summary>
public sealed class PtxasFactAttribute : FactAttribute
{
    public PtxasFactAttribute()
    {
        if (Ptxas.Path is null)
        {
            Skip = Ptxas.SkipReason;
        }
    }
}

/// <summary>A theory that needs ptxas; skipped with the reason when it is absent.</summary>
public sealed class PtxasTheoryAttribute : TheoryAttribute
{
    public PtxasTheoryAttribute()
    {
        if (Ptxas.Path is null)
        {
            Skip = Ptxas.SkipReason;
        }
    }
}

/// <summary>A fact that needs a CUDA device; skipped with <see cref="CudaDevice.UnavailableReason"/> otherwise.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!CudaDevice.IsAvailable)
        {
            Skip = "No CUDA device: " + CudaDevice.UnavailableReason;
        }
    }
}

/// <summary>A theory that needs a CUDA device; skipped with <see cref="CudaDevice.UnavailableReason"/> otherwise.</summary>
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    public CudaTheoryAttribute()
    {
        if (!CudaDevice.IsAvailable)
        {
            Skip = "No CUDA device: " + CudaDevice.UnavailableReason;
        }
    }
}

/// <summary>A fact that runs only where libcuda.so.1 cannot be loaded (checked without the code under test).</summary>
public sealed class NoCudaDriverFactAttribute : FactAttribute
{
    public NoCudaDriverFactAttribute()
    {
        if (NativeLibrary.TryLoad("libcuda.so.1", out nint handle))
        {
            NativeLibrary.Free(handle);
            Skip = "libcuda.so.1 is present on this machine; the no-driver behavior cannot be observed here.";
        }
    }
}
