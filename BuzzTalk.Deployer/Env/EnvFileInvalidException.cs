namespace BuzzTalk.Deployer.Env;

/// <summary>
/// A <c>.env</c> file that cannot be used. The message names the line and the key where known, never a
/// value: values are secrets and this message ends up in terminals and logs.
/// </summary>
public sealed class EnvFileInvalidException : Exception
{
    public EnvFileInvalidException()
    {
    }

    public EnvFileInvalidException(string message)
        : base(message)
    {
        Reason = message;
    }

    public EnvFileInvalidException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public EnvFileInvalidException(int lineNumber, string reason)
        : base($"line {lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {reason}")
    {
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>1-based line of the problem, when it is about one line.</summary>
    public int? LineNumber { get; }

    /// <summary>The problem without the line prefix.</summary>
    public string Reason { get; } = "";
}
