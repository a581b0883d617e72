namespace BuzzTalk.Discovery.Gcp;

/// <summary>An access token and the moment it must be replaced (its expiry less a margin).</summary>
internal sealed record CachedAccessToken(string Value, DateTimeOffset RefreshAfter);
