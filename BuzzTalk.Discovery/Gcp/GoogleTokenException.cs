using System.Net;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// A token request was refused or answered with something that is not a token. The message
/// carries the endpoint's RFC 6749 error code and description, never a token or an assertion.
/// </summary>
public sealed class GoogleTokenException(HttpStatusCode? status, string? error, string message) : Exception(message)
{
    /// <summary>The HTTP status, if the endpoint answered.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The RFC 6749 error code (<c>invalid_grant</c>, …), if the body had one.</summary>
    public string? Error { get; } = error;
}
