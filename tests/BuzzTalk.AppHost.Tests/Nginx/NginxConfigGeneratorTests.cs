using System.Diagnostics;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.Publishing.Nginx;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BuzzTalk.AppHost.Tests.Nginx;

public sealed class NginxConfigGeneratorTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private NginxSite LocalSite(params string[] backends) => new()
    {
        Listen = "127.0.0.1:18080",
        SpaRoot = _dir.Path,
        Backends = backends,
        RuntimeDirectory = _dir.Path,
    };

    [Fact]
    public async Task The_generated_config_passes_nginx_own_syntax_check()
    {
        var config = Path.Combine(_dir.Path, "nginx.conf");
        await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(LocalSite("127.0.0.1:8001", "127.0.0.1:8002")));

        var (exitCode, output) = await RunNginxTestAsync(config);

        Assert.True(exitCode == 0, output);
        Assert.Contains("syntax is ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_config_fails_the_same_check()
    {
        // Proves the check above can fail: the same config with its last brace removed.
        var config = Path.Combine(_dir.Path, "nginx.conf");
        var text = NginxConfigGenerator.Generate(LocalSite("127.0.0.1:8001")).TrimEnd();
        await File.WriteAllTextAsync(config, text[..^1]);

        var (exitCode, _) = await RunNginxTestAsync(config);

        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public void Websocket_location_upgrades_the_connection()
    {
        var config = NginxConfigGenerator.Generate(LocalSite("127.0.0.1:8001"));
        var ws = Block(config, "location /ws/ {");

        Assert.Contains("proxy_http_version 1.1;", ws, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", ws, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", ws, StringComparison.Ordinal);
        Assert.Contains("proxy_pass http://backend;", ws, StringComparison.Ordinal);
    }

    [Fact]
    public void Backend_location_strips_the_prefix_and_forwards_client_headers()
    {
        var backend = Block(NginxConfigGenerator.Generate(LocalSite("127.0.0.1:8001")), "location /backend/ {");

        Assert.Contains("proxy_pass http://backend/;", backend, StringComparison.Ordinal);
        foreach (var header in new[] { "Host $host", "X-Real-IP $remote_addr", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme" })
        {
            Assert.Contains($"proxy_set_header {header};", backend, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_backend_becomes_an_upstream_server()
    {
        var upstream = Block(NginxConfigGenerator.Generate(LocalSite("127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003")), "upstream backend {");

        Assert.Equal(3, upstream.Split('\n').Count(l => l.TrimStart().StartsWith("server ", StringComparison.Ordinal)));
        Assert.Contains("server 127.0.0.1:8003 ", upstream, StringComparison.Ordinal);
    }

    [Fact]
    public void The_container_site_names_each_backend_replica_by_resource_name()
    {
        var site = FrontendResources.ContainerSite(3);

        Assert.Equal(["backend:8000", "backend-2:8000", "backend-3:8000"], site.Backends);
        Assert.Equal("80", site.Listen);
        Assert.Null(site.RuntimeDirectory);
        Assert.DoesNotContain("_temp_path", NginxConfigGenerator.Generate(site), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8001; include /etc/passwd", null, null)]
    [InlineData("evil}", null, null)]
    [InlineData(null, "80; root /", null)]
    [InlineData(null, null, "/srv/my site")]
    [InlineData(null, null, "relative/path")]
    public void Values_that_would_change_the_config_syntax_are_rejected(string? backend, string? listen, string? spaRoot)
    {
        var site = LocalSite(backend ?? "127.0.0.1:8001") with
        {
            Listen = listen ?? "127.0.0.1:18080",
            SpaRoot = spaRoot ?? _dir.Path,
        };

        Assert.Throws<ArgumentException>(() => NginxConfigGenerator.Generate(site));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/health")]
    [InlineData("/backend/health; return 200")]
    public void A_drain_file_needs_a_plain_health_path_under_the_backend_prefix(string? drainedHealthPath)
    {
        var site = LocalSite("127.0.0.1:8001") with { DrainFile = Path.Combine(_dir.Path, "draining"), DrainedHealthPath = drainedHealthPath };

        Assert.Throws<ArgumentException>(() => NginxConfigGenerator.Generate(site));
    }

    [Fact]
    public async Task While_the_drain_file_exists_the_health_path_and_new_websockets_answer_503_and_the_site_keeps_serving()
    {
        await using var backend = await WebServiceHost.StartAsync(new Dictionary<string, string?>(), _ => { },
            app => app.Run(context => context.Response.WriteAsync($"backend {context.Request.Path}")));
        var drain = Path.Combine(_dir.Path, "run", "draining");
        Directory.CreateDirectory(Path.GetDirectoryName(drain)!);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "index.html"), "chat page");
        var port = ServerProcess.FreePort();
        var config = Path.Combine(_dir.Path, "nginx.conf");
        await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(LocalSite($"127.0.0.1:{backend.Address.Port}") with
        {
            Listen = $"127.0.0.1:{port}",
            DrainFile = drain,
            // Not the usual /backend/health: the drained location follows the site's health path.
            DrainedHealthPath = "/backend/ready",
        }));
        await using var nginx = ServerProcess.Start("nginx", _dir.Path, port, "-p", _dir.Path + "/", "-c", config, "-e", "stderr", "-g", "daemon off;");
        await nginx.WaitForPortAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        using (var healthy = await http.GetAsync(new Uri("/backend/ready", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("backend /ready", await healthy.Content.ReadAsStringAsync());
        }

        Assert.Equal("backend /ws/chat/lobby/", await http.GetStringAsync(new Uri("/ws/chat/lobby/", UriKind.Relative)));
        await File.WriteAllTextAsync(drain, "");

        using (var draining = await http.GetAsync(new Uri("/backend/ready", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, draining.StatusCode);
        }

        // The leaving instance's websockets were closed; a reconnect must land elsewhere.
        using (var websocket = await http.GetAsync(new Uri("/ws/chat/lobby/", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, websocket.StatusCode);
        }

        Assert.Equal("backend /messages", await http.GetStringAsync(new Uri("/backend/messages", UriKind.Relative)));
        Assert.Equal("chat page", await http.GetStringAsync(new Uri("/", UriKind.Relative)));
    }

    [Fact]
    public async Task A_websocket_handshake_refused_with_403_goes_to_the_next_backend_and_other_requests_do_not()
    {
        // A replica that is stopping or has a newer successor refuses websockets with 403.
        await using var refusing = await WebServiceHost.StartAsync(new Dictionary<string, string?>(), _ => { },
            app => app.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return context.Response.WriteAsync("refused");
            }));
        await using var accepting = await WebServiceHost.StartAsync(new Dictionary<string, string?>(), _ => { },
            app => app.Run(context => context.Response.WriteAsync($"accepted {context.Request.Path}")));
        var port = ServerProcess.FreePort();
        var config = Path.Combine(_dir.Path, "nginx.conf");
        await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(
            LocalSite($"127.0.0.1:{refusing.Address.Port}", $"127.0.0.1:{accepting.Address.Port}") with { Listen = $"127.0.0.1:{port}" }));
        await using var nginx = ServerProcess.Start("nginx", _dir.Path, port, "-p", _dir.Path + "/", "-c", config, "-e", "stderr", "-g", "daemon off;");
        await nginx.WaitForPortAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        // Round robin sends every other request to the refusing backend first.
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("accepted /ws/chat/lobby/", await http.GetStringAsync(new Uri("/ws/chat/lobby/", UriKind.Relative)));
        }

        var api = new List<System.Net.HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await http.GetAsync(new Uri("/backend/api/rooms", UriKind.Relative));
            api.Add(response.StatusCode);
        }

        // A 403 of the API is the answer, not a reason to ask another backend.
        Assert.Contains(System.Net.HttpStatusCode.Forbidden, api);
    }

    [Fact]
    public void A_site_without_backends_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => NginxConfigGenerator.Generate(LocalSite()));
        Assert.Contains("at least one backend", error.Message, StringComparison.Ordinal);
    }

    private static string Block(string config, string opening)
    {
        var start = config.IndexOf(opening, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{opening}' not found");
        var end = config.IndexOf("\n    }", start, StringComparison.Ordinal);
        end = end < 0 ? config.Length : end;
        return config[start..end];
    }

    private async Task<(int ExitCode, string Output)> RunNginxTestAsync(string config)
    {
        var nginx = BuzzTalk.AppHost.Runtime.HostTools.Locate("nginx");
        Assert.True(nginx is not null, "nginx is not installed: run eng/install-deps.sh");
        var start = new ProcessStartInfo(nginx!)
        {
            ArgumentList = { "-t", "-p", _dir.Path + "/", "-c", config, "-e", "stderr" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
