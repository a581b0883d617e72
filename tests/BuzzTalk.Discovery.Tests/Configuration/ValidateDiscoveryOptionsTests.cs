using BuzzTalk.Discovery.Configuration;

namespace BuzzTalk.Discovery.Tests.Configuration;

public sealed class ValidateDiscoveryOptionsTests
{
    private static List<string> Errors(DiscoveryOptions options) =>
        new ValidateDiscoveryOptions().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(Errors(new DiscoveryOptions()));
    }

    [Fact]
    public void A_gcp_provider_reports_every_missing_or_bad_setting_at_once()
    {
        var options = new DiscoveryOptions
        {
            Provider = InstanceProviderKind.Gcp,
            RefreshInterval = TimeSpan.Zero,
            Gcp = new GcpOptions
            {
                ProjectId = "Bad_Project",
                ManagedInstanceGroup = "buzz-mig",
                Credentials = GcpCredentialKind.ServiceAccountKeyFile,
                PageSize = 501,
                ApiBaseUrl = new Uri("https://compute.example/v1"),
            },
        };

        var errors = Errors(options);

        Assert.Contains(errors, e => e.Contains("RefreshInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ProjectId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Region is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("KeyFile is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PageSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ApiBaseUrl", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Job_names_ports_and_file_paths_are_checked()
    {
        var options = new DiscoveryOptions
        {
            JobPorts = new() { ["node exporter"] = 9100, ["cadvisor"] = 70000 },
            FileSd = new FileSdOptions { JsonPath = "relative/targets.json" },
            Provider = InstanceProviderKind.File,
        };

        var errors = Errors(options);

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("InstancesFile", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("02:00:00")]
    public void The_refresh_deadline_is_checked(string timeout)
    {
        var errors = Errors(new DiscoveryOptions { RefreshTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains(errors, e => e.Contains("RefreshTimeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:05", true)]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:00.100", true)]
    [InlineData("00:00:00.050", false)]
    [InlineData("-00:00:05", false)]
    [InlineData("02:00:00", false)]
    public void The_preemption_poll_interval_is_checked_and_zero_turns_the_watch_off(string interval, bool valid)
    {
        var options = new DiscoveryOptions
        {
            Provider = InstanceProviderKind.Gcp,
            Gcp = new GcpOptions { ProjectId = "buzz-talk", PreemptionPollInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) },
        };

        var errors = Errors(options);

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Contains("PreemptionPollInterval", e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_relative_state_directory_is_refused()
    {
        var errors = Errors(new DiscoveryOptions { StateDirectory = "state" });

        Assert.Contains(errors, e => e.Contains("StateDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_service_refuses_to_start_with_invalid_options()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:Gcp:ProjectId"] = "x",
        }));

        Assert.Contains("ProjectId", error.Message, StringComparison.Ordinal);
    }
}
