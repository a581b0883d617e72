namespace BuzzTalk.Discovery.Probes;

/// <summary>
/// One probed server. The password is a key of its own, so it needs no escaping inside the
/// address and can come from a secret store while the address sits in plain configuration.
/// </summary>
public sealed class ProbeTarget
{
    /// <summary>MySQL: a MySqlConnector connection string without the password. Redis: <c>host:port[,options]</c>.</summary>
    public string Address { get; set; } = "";

    public string? Password { get; set; }
}
