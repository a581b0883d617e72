using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Runtime;
using Microsoft.Extensions.Configuration;

namespace BuzzTalk.AppHost.Tests.Configuration;

public sealed class BuzzTalkOptionsLoaderTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Fact]
    public void Defaults_match_the_seed_and_the_local_stack()
    {
        var options = BuzzTalkOptionsLoader.Load(Config());

        Assert.Equal(LocalRuntime.Auto, options.LocalRuntime);
        Assert.Equal(2, options.BackendReplicas);
        Assert.Equal(".buzztalk", options.StateDirectory);
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-backend:latest", options.Images.Backend.ToString());
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-frontend:latest", options.Images.Frontend.ToString());
    }

    [Fact]
    public void Values_bind_case_insensitively_from_configuration()
    {
        var options = BuzzTalkOptionsLoader.Load(Config(
            ("BuzzTalk:LocalRuntime", "processes"),
            ("BuzzTalk:BackendReplicas", "3"),
            ("BuzzTalk:Images:Backend:Tag", "v2.1")));

        Assert.Equal(LocalRuntime.Processes, options.LocalRuntime);
        Assert.Equal(3, options.BackendReplicas);
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-backend:v2.1", options.Images.Backend.ToString());
    }

    [Fact]
    public void Every_invalid_value_is_reported_at_once()
    {
        var error = Assert.Throws<OptionsInvalidException>(() => BuzzTalkOptionsLoader.Load(Config(
            ("BuzzTalk:BackendReplicas", "0"),
            ("BuzzTalk:Debug", "maybe"),
            ("BuzzTalk:Images:Backend:Tag", "v1;rm -rf /"),
            ("BuzzTalk:Images:Redis:Image", "Redis With Spaces"))));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("BackendReplicas", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Debug", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Images:Backend:Tag", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Images:Redis:Image", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_runtime_is_a_clear_error()
    {
        var error = Assert.Throws<OptionsInvalidException>(() => BuzzTalkOptionsLoader.Load(Config(("BuzzTalk:LocalRuntime", "kubernetes"))));

        Assert.Contains("kubernetes", error.Message, StringComparison.Ordinal);
    }
}
