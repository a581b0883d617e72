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

        // The bundle's health path is appended: an origin with a path, query or fragment would garble it.
        if (options.Health.Url is null
            && (!Uri.TryCreate(options.Health.Origin.Replace("{instance}", "instance", StringComparison.Ordinal), UriKind.Absolute, out var origin)
                || origin.Scheme is not ("http" or "https") || origin.AbsolutePath != "/" || origin.Query.Length > 0 || origin.Fragment.Length > 0))
        {
            errors.Add($"Deployer:Health:Origin '{options.Health.Origin}' must be an http(s) URL without a path, e.g. http://127.0.0.1:80.");
        }

        if (options.Health.Samples is < 1 or > 100)
        {
            errors.Add("Deployer:Health:Samples must be 1 to 100.");
        }

        if (options.LeaseWait < TimeSpan.Zero)
        {
            errors.Add("Deployer:LeaseWait must not be negative.");
        }

        if (options.KeepReleases < 1)
        {
            errors.Add("Deployer:KeepReleases must be at least 1.");
        }

        ValidateRelease(options.Release, errors);
        return errors;
    }

    private static void ValidateRelease(ReleaseStoreOptions release, List<string> errors)
    {
        if (!release.Enabled)
        {
            return;
        }

        // Bucket and secret ids as Google allows them; they end up in URLs.
        if (!GoogleNames.IsBucket(release.Bucket))
        {
            errors.Add($"Deployer:Release:Bucket '{release.Bucket}' is not a bucket name.");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(release.EnvSecret, "^[A-Za-z0-9_-]{1,255}$"))
        {
            errors.Add($"Deployer:Release:EnvSecret '{release.EnvSecret}' is not a Secret Manager id.");
        }

        if (release.Project.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(release.Project, "^[a-z0-9.:-]{1,100}$"))
        {
            errors.Add($"Deployer:Release:Project '{release.Project}' is not a project id.");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(release.Prefix, "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"))
        {
            errors.Add($"Deployer:Release:Prefix '{release.Prefix}' must be object-name segments of [A-Za-z0-9._-].");
        }

        foreach (var (name, url) in new[] { ("MetadataUrl", release.MetadataUrl), ("StorageUrl", release.StorageUrl), ("UploadUrl", release.UploadUrl),
            ("SecretManagerUrl", release.SecretManagerUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"Deployer:Release:{name} '{url}' is not an http(s) URL.");
            }
        }

        if (release.Timeout <= TimeSpan.Zero || release.DriftInterval <= TimeSpan.Zero)
        {
            errors.Add("Deployer:Release:Timeout and DriftInterval must be positive.");
        }
    }
}
