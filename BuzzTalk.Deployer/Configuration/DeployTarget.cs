namespace BuzzTalk.Deployer.Configuration;

/// <summary>One instance to deploy to: its name (for reports and per-instance paths), address and SSH port.</summary>
public sealed record DeployTarget
{
    public string Name { get; set; } = "";

    public string Host { get; set; } = "";

    /// <summary>0 = the port of <c>Deployer:Ssh</c>.</summary>
    public int SshPort { get; set; }

    public override string ToString() => Name.Length > 0 ? Name : Host;
}
