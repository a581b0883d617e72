using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Nginx;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Stack;

/// <summary>The bundle's nginx config: valid for nginx itself, resolving backends per request.</summary>
public sealed class ProductionNginxTests
{
    private static readonly PublishSettings Settings = PublishedModel.Settings("http://203.0.113.10");

    [Fact]
    public async Task Nginx_accepts_the_published_config()
    {
        using var scratch = new ScratchDirectory();
        var config = Path.Combine(scratch.Path, "nginx.conf");
        var site = StackFileGenerator.ProductionSite(Settings) with { RuntimeDirectory = scratch.Path };
        await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(site));
        var output = await ToolRun.RunCheckedAsync("nginx", scratch.Path, "-t", "-p", scratch.Path + "/", "-c", config, "-e", "stderr");
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_published_config_resolves_the_backend_service_through_swarm_dns_on_every_request()
    {
        var text = StackFileGenerator.Generate(Settings).Single(f => f.Path == StackFileGenerator.NginxPath).Content;
        Assert.Contains("resolver 127.0.0.11 valid=1s", text, StringComparison.Ordinal);
        Assert.Contains("set $backend_upstream backend:8000;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream backend {", text, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", text, StringComparison.Ordinal);
        // The edge proxies the SPA, which rolls start-first behind it; the SPA's own nginx serves the files.
        Assert.Contains("set $frontend_upstream frontend:80;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("try_files", text, StringComparison.Ordinal);
        var spa = StackFileGenerator.Generate(Settings).Single(f => f.Path == StackFileGenerator.SpaPath).Content;
        Assert.Contains("try_files $uri $uri/ /index.html;", spa, StringComparison.Ordinal);
        Assert.Contains("listen 80;", spa, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resolver_with_several_backends_or_a_bad_address_is_refused()
    {
        var site = StackFileGenerator.ProductionSite(Settings);
        Assert.Throws<ArgumentException>(() => NginxConfigGenerator.Generate(site with { Backends = ["a:1", "b:2"] }));
        Assert.Throws<ArgumentException>(() => NginxConfigGenerator.Generate(site with { Resolver = "127.0.0.11; evil" }));
    }

    [Fact]
    public void A_changed_spa_config_gets_a_new_swarm_config_name_and_a_changed_edge_config_does_not()
    {
        static string ConfigName(PublishSettings s) =>
            StackFileGenerator.Generate(s).Single(f => f.Path == StackFileGenerator.StackPath).Content
                .Split('\n').Single(l => l.Contains("name: buzztalk_nginx_", StringComparison.Ordinal));

        Assert.Equal(ConfigName(Settings), ConfigName(Settings));
        // The edge's config is reloaded, not a swarm config: the stack stays as it is.
        Assert.Equal(ConfigName(Settings), ConfigName(Settings.WithService("backend", b => b with { Port = 8001 })));
        Assert.NotEqual(StackFileGenerator.Generate(Settings).Single(f => f.Path == StackFileGenerator.NginxPath).Content,
            StackFileGenerator.Generate(Settings.WithService("backend", b => b with { Port = 8001 })).Single(f => f.Path == StackFileGenerator.NginxPath).Content);
    }
}
