using System.Net;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>A Compute API call answered with an error status; carries Google's reason.</summary>
public sealed class ComputeApiException(HttpStatusCode status, string? reason, string message)
    : Exception($"Compute API answered {(int)status} {reason}: {message}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Reason { get; } = reason;
}
