namespace BuzzTalk.Fleet.Leases;

/// <summary>The deploy lease as a host holds it: who, for what, until when (host clock).</summary>
public sealed record LeaseState(string Holder, string Operation, DateTimeOffset Expires, DateTimeOffset HostNow)
{
    /// <summary>Held until its expiry; a holder that died simply stops renewing.</summary>
    public bool IsHeld => HostNow < Expires;
}
