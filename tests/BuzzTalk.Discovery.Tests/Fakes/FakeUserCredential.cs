namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>An OAuth client and a user's refresh token the fake token endpoint accepts (refresh-token grant).</summary>
internal sealed record FakeUserCredential(string ClientId, string ClientSecret, string RefreshToken);
