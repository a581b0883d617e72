namespace BuzzTalk.Fleet.Leases;

/// <summary>Another holder has the host's deploy lease.</summary>
public sealed class LeaseBusyException(string host, LeaseState current)
    : Exception($"Deploy lease on {host} is held by {current.Holder} ({current.Operation}) until {current.Expires:u}.")
{
    public LeaseState Current { get; } = current;
}
