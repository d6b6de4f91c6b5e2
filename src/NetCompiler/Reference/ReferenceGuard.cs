namespace NetCompiler.Reference;

/// <summary>Shape checks shared by the reference ops; each names the expected and the actual value.</summary>
internal static class ReferenceGuard
{
    /// <summary>Checks that a dimension is at least one.</summary>
    public static void Positive(int value, string paramName)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(paramName, value, $"Expected a dimension of at least 1, but got {value}.");
    }

    /// <summary>Checks that a span is not empty.</summary>
    public static void NotEmpty(int length, string paramName)
    {
        if (length == 0)
            throw new ArgumentException("Expected at least one element, but the span is empty.", paramName);
    }

    /// <summary>
    /// Checks an optional span: empty means "absent" (no bias, a gradient the caller does not need),
    /// anything else must have exactly <paramref name="expected"/> elements. Returns whether it is present.
    /// </summary>
    public static bool Optional(int actual, int expected, string paramName)
    {
        if (actual == 0)
            return false;
        Guard.Length(actual, expected, paramName);
        return true;
    }
}
