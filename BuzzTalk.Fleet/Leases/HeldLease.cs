namespace BuzzTalk.Fleet.Leases;

/// <summary>A lease this process acquired: the token proves it when renewing or releasing.</summary>
public sealed record HeldLease(string Host, string Token, string Holder, string Operation, DateTimeOffset Expires);
