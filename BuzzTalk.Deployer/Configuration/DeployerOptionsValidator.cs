namespace BuzzTalk.Deployer.Configuration;

/// <summary>Checks <see cref="DeployerOptions"/> before any host is contacted; every problem in one list.</summary>
public static class DeployerOptionsValidator
{
    public static IReadOnlyList<string> Validate(DeployerOptions options, bool needsSsh = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (needsSsh)
        {
            if (string.IsNullOrWhiteSpace(options.Ssh.PrivateKeyFile) || !File.Exists(options.Ssh.PrivateKeyFile))
            {
                errors.Add("Deployer:Ssh:PrivateKeyFile must name an existing private key file.");
            }

            // Host keys are always pinned: no known_hosts, no connection (the seed accepted any key).
            if (string.IsNullOrWhiteSpace(options.Ssh.KnownHostsFile) || !File.Exists(options.Ssh.KnownHostsFile))
            {
                errors.Add("Deployer:Ssh:KnownHostsFile must name an existing known_hosts file.");
            }

            if (string.IsNullOrWhiteSpace(options.Ssh.User))
            {
                errors.Add("Deployer:Ssh:User is required.");
            }
        }

        foreach (var (name, value) in new[]
        {
            ("LeaseTtl", options.LeaseTtl), ("ConvergeTimeout", options.ConvergeTimeout), ("PollInterval", options.PollInterval),
            ("Health:Timeout", options.Health.Timeout), ("Ssh:ConnectTimeout", options.Ssh.ConnectTimeout), ("Ssh:CommandTimeout", options.Ssh.CommandTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Deployer:{name} must be positive.");
            }
        }

        if (options.LeaseWait < TimeSpan.Zero)
        {
            errors.Add("Deployer:LeaseWait must not be negative.");
        }

        if (options.KeepReleases < 1)
        {
            errors.Add("Deployer:KeepReleases must be at least 1.");
        }

        return errors;
    }
}
