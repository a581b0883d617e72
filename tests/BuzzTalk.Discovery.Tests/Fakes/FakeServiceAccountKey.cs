namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>What the fake token endpoint keeps of a key file it issued: the public half only.</summary>
internal sealed record FakeServiceAccountKey(string KeyId, string ClientEmail, ReadOnlyMemory<byte> SubjectPublicKeyInfo);
