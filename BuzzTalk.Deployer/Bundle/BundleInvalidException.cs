namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// A bundle directory that must not be deployed: a required file is missing, a file does not match
/// <c>SHA256SUMS</c>, the stack file cannot be read, or a requested service is not in the stack.
/// </summary>
public sealed class BundleInvalidException : Exception
{
    public BundleInvalidException()
    {
    }

    public BundleInvalidException(string message)
        : base(message)
    {
    }

    public BundleInvalidException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
