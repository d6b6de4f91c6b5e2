using System.Runtime.InteropServices;

namespace NetCompiler.Cuda;

/// <summary>
/// The CUDA driver API entry points NetCompiler uses. Source-generated marshalling (LibraryImport) keeps the
/// calls AOT- and trim-safe; every argument is blittable, so no marshalling code runs per call.
/// </summary>
internal static unsafe partial class CudaNative
{
    private const string Library = "libcuda.so.1";

    internal const int Success = 0;

    [LibraryImport(Library)]
    internal static partial int cuInit(uint flags);

    [LibraryImport(Library)]
    internal static partial int cuDeviceGetCount(out int count);

    [LibraryImport(Library)]
    internal static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    internal static partial int cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library)]
    internal static partial int cuCtxCreate_v2(out nint context, uint flags, int device);

    [LibraryImport(Library)]
    internal static partial int cuCtxDestroy_v2(nint context);

    [LibraryImport(Library)]
    internal static partial int cuCtxSynchronize();

    [LibraryImport(Library)]
    internal static partial int cuModuleLoadData(out nint module, byte* image);

    [LibraryImport(Library)]
    internal static partial int cuModuleGetFunction(out nint function, nint module, byte* name);

    [LibraryImport(Library)]
    internal static partial int cuModuleUnload(nint module);

    [LibraryImport(Library)]
    internal static partial int cuMemAlloc_v2(out ulong devicePointer, nuint byteCount);

    [LibraryImport(Library)]
    internal static partial int cuMemFree_v2(ulong devicePointer);

    [LibraryImport(Library)]
    internal static partial int cuMemcpyHtoD_v2(ulong destination, void* source, nuint byteCount);

    [LibraryImport(Library)]
    internal static partial int cuMemcpyDtoH_v2(void* destination, ulong source, nuint byteCount);

    [LibraryImport(Library)]
    internal static partial int cuLaunchKernel(
        nint function,
        uint gridDimX, uint gridDimY, uint gridDimZ,
        uint blockDimX, uint blockDimY, uint blockDimZ,
        uint sharedMemBytes,
        nint stream,
        void** kernelParams,
        void** extra);

    [LibraryImport(Library)]
    internal static partial int cuGetErrorName(int error, out byte* name);
}
