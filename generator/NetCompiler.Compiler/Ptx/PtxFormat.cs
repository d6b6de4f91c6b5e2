using System;
using System.Globalization;

namespace NetCompiler.Compiler.Ptx;

/// <summary>Formatting helpers for PTX literals and identifiers.</summary>
public static class PtxFormat
{
    /// <summary>
    /// Formats a float as a PTX hex immediate (<c>0f3F800000</c> for 1.0f): exact, and independent of culture.
    /// </summary>
    public static string Float(float value)
    {
        int bits = BitConverter.ToInt32(BitConverter.GetBytes(value), 0);
        return "0f" + bits.ToString("X8", CultureInfo.InvariantCulture);
    }

    /// <summary>Throws when <paramref name="name"/> is not a valid PTX identifier (letters, digits, '_', '$', not starting with a digit).</summary>
    public static void ValidateIdentifier(string name, string parameterName)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A PTX identifier must not be empty.", parameterName);
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
            bool digit = c >= '0' && c <= '9';
            if (!letter && !(digit && i > 0))
            {
                throw new ArgumentException($"'{name}' is not a valid PTX identifier: character '{c}' at index {i}.", parameterName);
            }
        }
    }

    /// <summary>Throws when a compile-time size is not positive.</summary>
    public static void ValidatePositive(int value, string parameterName)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be positive, but was {value}.");
        }
    }
}
