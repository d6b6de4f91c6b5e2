using System.Globalization;
using System.Runtime.InteropServices;

namespace NetCompiler.Cuda;

/// <summary>A CUDA driver API call failed.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates an exception for <paramref name="errorCode"/> returned by <paramref name="call"/>.</summary>
    public CudaException(string call, int errorCode, string errorName)
        : base($"{call} failed with {errorName} ({errorCode.ToString(CultureInfo.InvariantCulture)}).")
    {
        Call = call;
        ErrorCode = errorCode;
        ErrorName = errorName;
    }

    /// <summary>The driver function that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
    public string Call { get; }

    /// <summary>The <c>CUresult</c> value.</summary>
    public int ErrorCode { get; }

    /// <summary>The <c>CUresult</c> name, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</summary>
    public string ErrorName { get; }

    internal static void ThrowIfFailed(int result, string call)
    {
        if (result != CudaNative.Success)
        {
            throw new CudaException(call, result, GetErrorName(result));
        }
    }

    internal static unsafe string GetErrorName(int result)
    {
        if (CudaNative.cuGetErrorName(result, out byte* name) == CudaNative.Success && name != null)
        {
            return Marshal.PtrToStringUTF8((nint)name) ?? "";
        }

        return "CUDA_ERROR_UNKNOWN_CODE_" + result.ToString(CultureInfo.InvariantCulture);
    }
}
