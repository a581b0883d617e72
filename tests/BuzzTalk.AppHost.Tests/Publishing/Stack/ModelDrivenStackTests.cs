using System.Globalization;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.AppHost.Tests.Publishing.Startup;
using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Monitoring;
using BuzzTalk.Publishing.Nginx;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Testing;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.AppHost.Tests.Publishing.Stack;

/// <summary>
/// An AppHost built on BuzzTalk adds to the model, and the published bundle follows with no change
/// to the publishing code: the spot fleet's publisher reads the resources themselves.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ModelDrivenStackTests : IDisposable
{
    private const string PublicUrl = "http://203.0.113.10";

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A host port free on this machine when the tests start: the new container publishes it on each instance.</summary>
    private static readonly int DirectPort = ServerProcess.FreePort();

    /// <summary>
    /// The real AppHost, plus: on the backend a plain value, a secret parameter, a reference to
    /// another service and a replica count; and a new container with an external HTTP endpoint
    /// (its own route through the edge), an external TCP endpoint (a host port), a health path
    /// and a wait for the backend (a start wave after it).
    /// </summary>
    private static void Extend(IDistributedApplicationBuilder builder, BuzzTalkResources stack)
    {
        var whoami = builder.AddContainer("whoami", TestStackFile.BusyboxImage.Split(':')[0], TestStackFile.BusyboxImage.Split(':')[1])
            .WithHttpEndpoint(name: "http", targetPort: 8080)
            .WithExternalHttpEndpoints()
            .WithEndpoint(name: "direct", port: DirectPort, targetPort: 8080, scheme: "tcp", isExternal: true)
            .WithHealthPath("/index.html")
            .PublishAsSwarmService()
            .WaitFor(stack.Backend);
        var apiToken = builder.AddParameter("api-token", secret: true);
        stack.WithBackends(backend => backend
            .WithEnvironment("CHAT_MOTD", "welcome $USER")
            .WithEnvironment("API_TOKEN", apiToken)
            .WithEnvironment("WHOAMI_URL", whoami.GetEndpoint("http")));
        stack.Backend.WithSwarmReplicas(3);
    }

    private static async Task<PublishSettings> ExtendedAsync(string publicUrl, string name = "buzztalk") =>
        PublishedModel.Settings(publicUrl, name) with { Services = await PublishedModel.ServicesAsync(publicUrl, extend: Extend) };

    private static YamlMappingNode Stack(PublishSettings settings) =>
        Stack(BundleComposer.Compose(settings).Single(f => f.Path == StackFileGenerator.StackPath).Content);

    private static YamlMappingNode Stack(string stackFile)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stackFile));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static List<string> List(YamlNode node, params string[] path) =>
        [.. ((YamlSequenceNode)At(node, path)).Children.Select(c => ((YamlScalarNode)c).Value!)];

    [Fact]
    public async Task Added_variables_a_replica_count_and_a_new_container_reach_the_stack_the_env_files_and_the_edge()
    {
        var seed = Stack(PublishedModel.Settings(PublicUrl));
        var extended = Stack(await ExtendedAsync(PublicUrl));

        // The backend: a value as written (docker reads '$$' back as '$'), the other service by its
        // swarm DNS name, the secret as a key of its env file, and the replica count.
        Assert.Equal("welcome $$USER", Text(extended, "services", "backend", "environment", "CHAT_MOTD"));
        Assert.Equal("http://whoami:8080", Text(extended, "services", "backend", "environment", "WHOAMI_URL"));
        Assert.Contains("API_TOKEN", List(extended, "x-buzztalk", "env-files", "backend", "required"));
        Assert.DoesNotContain("API_TOKEN", List(seed, "x-buzztalk", "env-files", "backend", "required"));
        Assert.Equal("3", Text(extended, "services", "backend", "deploy", "replicas"));
        Assert.Equal("1", Text(seed, "services", "backend", "deploy", "replicas"));

        // The new container: its image with a deploy-time tag, its health path, on the stack's network.
        var services = ((YamlMappingNode)At(extended, "services")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Equal(["edge", "frontend", "backend", "whoami", "node-exporter", "cadvisor"], services);
        Assert.Equal("buzztalk/busybox:${WHOAMI_IMAGE_TAG:-test}", Text(extended, "services", "whoami", "image"));
        Assert.Equal(["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"], List(extended, "services", "whoami", "healthcheck", "test"));
        Assert.Equal(["node-net"], List(extended, "services", "whoami", "networks"));
        Assert.False(((YamlMappingNode)At(extended, "services", "whoami")).Children.ContainsKey("env_file"));

        // Its external TCP endpoint: a host port on each instance, held by one task (stop-first),
        // and open in the firewall; the seed's app services publish none and open nothing.
        var port = (YamlMappingNode)((YamlSequenceNode)At(extended, "services", "whoami", "ports")).Children.Single();
        Assert.Equal(("8080", DirectPort.ToString(CultureInfo.InvariantCulture), "tcp", "host"),
            (Text(port, "target"), Text(port, "published"), Text(port, "protocol"), Text(port, "mode")));
        Assert.Equal("stop-first", Text(extended, "services", "whoami", "deploy", "update_config", "order"));
        Assert.Equal("start-first", Text(extended, "services", "backend", "deploy", "update_config", "order"));
        Assert.False(((YamlMappingNode)At(seed, "services", "frontend")).Children.ContainsKey("ports"));
        Assert.False(((YamlMappingNode)At(seed, "services", "backend")).Children.ContainsKey("ports"));
        var firewall = BundleComposer.Compose(await ExtendedAsync(PublicUrl)).Single(f => f.Path.EndsWith("network.tf.json", StringComparison.Ordinal)).Content;
        var rule = JsonNode.Parse(firewall)!["resource"]!["google_compute_firewall"]!["allow_app_ports"]!;
        Assert.Equal("0.0.0.0/0", (string?)rule["source_ranges"]![0]);
        Assert.Equal(DirectPort.ToString(CultureInfo.InvariantCulture), (string?)rule["allow"]![0]!["ports"]![0]);
        Assert.DoesNotContain("allow_app_ports", BundleComposer.Compose(PublishedModel.Settings(PublicUrl))
            .Single(f => f.Path.EndsWith("network.tf.json", StringComparison.Ordinal)).Content, StringComparison.Ordinal);

        // The edge routes it, resolved per request like the backends; the seed's edge has no such route.
        var edge = NginxConfigGenerator.Generate(StackFileGenerator.ProductionSite(await ExtendedAsync(PublicUrl)));
        Assert.Contains("location /whoami/ {", edge, StringComparison.Ordinal);
        Assert.Contains("set $route_upstream_0 whoami:8080;", edge, StringComparison.Ordinal);
        Assert.DoesNotContain("/whoami/", NginxConfigGenerator.Generate(StackFileGenerator.ProductionSite(PublishedModel.Settings(PublicUrl))), StringComparison.Ordinal);

        // And the Scaler's desired count starts from the model's replicas.
        var scaling = BundleComposer.Compose(await ExtendedAsync(PublicUrl)).Single(f => f.Path == MonitoringGenerator.ScalingRulesPath).Content;
        Assert.Contains("vector(3)", scaling, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_backends_health_path_in_the_model_is_the_stacks_health_key_the_drained_edge_path_and_the_balancers_check()
    {
        var seed = PublishedModel.Settings(PublicUrl);
        var ready = seed with
        {
            Services = await PublishedModel.ServicesAsync(PublicUrl,
                extend: (_, stack) => stack.Backend.WithHealthPath("/ready", BackendResources.EndpointName)),
        };

        // The real AppHost: the backend's WithHealthPath under its edge prefix.
        Assert.Equal(NginxConfigGenerator.BackendPrefix + BackendResources.HealthPath, Text(Stack(seed), "x-buzztalk", "health"));
        Assert.Equal("/backend/ready", Text(Stack(ready), "x-buzztalk", "health"));

        // The same path is the one the drain flag fails and the load balancer asks.
        var edge = NginxConfigGenerator.Generate(StackFileGenerator.ProductionSite(ready));
        Assert.Contains("location = /backend/ready {", edge, StringComparison.Ordinal);
        Assert.DoesNotContain("location = /backend/health {", edge, StringComparison.Ordinal);
        var terraform = BundleComposer.Compose(ready).Single(f => f.Path == "terraform/load-balancer.tf.json").Content;
        Assert.Contains("\"request_path\": \"/backend/ready\"", terraform, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_gives_what_the_backends_read_to_every_replica_and_the_stack_has_it_once()
    {
        // The same extension in a run of the containers profile: two local replicas.
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--BuzzTalk:LocalRuntime", "containers", "--BuzzTalk:BackendReplicas", "2", "--BuzzTalk:StateDirectory", _dir.Path],
            ProjectDirectory = typeof(PublishedModel).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .First(a => a.Key == "apphostprojectpath").Value,
            DisableDashboard = true,
        });
        var stack = await builder.AddBuzzTalkAsync();
        Extend(builder, stack);

        Assert.Equal(2, stack.Backends.Count);
        foreach (var replica in stack.Backends)
        {
            var env = await ModelInspection.EnvAsync(replica.Resource);
            Assert.Equal("welcome $USER", env["CHAT_MOTD"]);
            Assert.Equal("{api-token.value}", env["API_TOKEN"]);
        }

        // Published, the replicas are one service's tasks: the value is in the stack once.
        var published = Stack(await ExtendedAsync(PublicUrl));
        Assert.Equal("welcome $$USER", Text(published, "services", "backend", "environment", "CHAT_MOTD"));
        Assert.False(((YamlMappingNode)At(published, "services")).Children.ContainsKey("backend-2"));
    }

    [Fact]
    public async Task The_deployer_renders_the_extended_services_env_files_with_the_new_secret_and_reference()
    {
        // Beside the backend's secret, the new container reads Redis, a resource outside the fleet.
        var services = await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, stack) =>
        {
            Extend(builder, stack);
            builder.CreateResourceBuilder(builder.Resources.OfType<ContainerResource>().Single(r => r.Name == "whoami"))
                .WithEnvironment("CACHE_URL", ReferenceExpression.Create(
                    $"redis://{stack.Redis.GetEndpoint(RedisResources.EndpointName).Property(EndpointProperty.HostAndPort)}/1"));
        });
        var bundleDirectory = Path.Combine(_dir.Path, "bundle");
        BundleDirectory.Write(bundleDirectory, BundleComposer.Compose(PublishedModel.Settings(PublicUrl) with { Services = services }));
        const string apiToken = "ApiTokenSecret-5e1c9a7b30";
        const string cacheUrl = "redis://10.0.0.9:6380/1";
        var env = Path.Combine(_dir.Path, "operator.env");
        await File.WriteAllTextAsync(env, $"""
            MYSQL_DB_NAME=buzz
            MYSQL_DB_USER=buzzuser
            MYSQL_DB_PASSWORD=db-pass-1
            MYSQL_DB_HOST=10.0.0.4
            MYSQL_DB_PORT=3307
            REDIS_URL=redis://:redis-pass@10.0.0.5:6379/0
            SCALER_WEBHOOK_PASSWORD=hook-pass
            API_TOKEN={apiToken}
            CACHE_URL={cacheUrl}

            """);

        // What `render-env --bundle` does: the bundle says which service reads which key.
        var bundle = DeployBundle.Load(bundleDirectory);
        var rendered = Path.Combine(_dir.Path, "rendered");
        await EnvRenderer.WriteAsync(rendered, EnvFile.Load(env), bundle.EnvFiles, bundle.Probes);

        var backend = await File.ReadAllTextAsync(Path.Combine(rendered, EnvRenderer.InstanceEnvDirectory, "backend.env"));
        var whoami = await File.ReadAllTextAsync(Path.Combine(rendered, EnvRenderer.InstanceEnvDirectory, "whoami.env"));
        Assert.Contains($"API_TOKEN={apiToken}\n", backend, StringComparison.Ordinal);
        Assert.DoesNotContain("CACHE_URL", backend, StringComparison.Ordinal);
        Assert.Contains($"CACHE_URL={cacheUrl}\n", whoami, StringComparison.Ordinal);
        Assert.DoesNotContain("API_TOKEN", whoami, StringComparison.Ordinal);
        // The endpoint of another fleet service is the stack file's, not the env file's.
        Assert.DoesNotContain("WHOAMI_URL", backend, StringComparison.Ordinal);

        // Both keys are named in the stack file; no value of the .env is in it.
        var stackFile = await File.ReadAllTextAsync(Path.Combine(bundleDirectory, StackFileGenerator.StackPath));
        Assert.Equal(["CACHE_URL"], List(Stack(stackFile), "x-buzztalk", "env-files", "whoami", "required"));
        foreach (var secret in new[] { apiToken, cacheUrl, "db-pass-1", "redis-pass", "hook-pass" })
        {
            Assert.DoesNotContain(secret, stackFile, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_service_that_waits_for_the_backend_starts_in_a_wave_after_it()
    {
        var settings = await ExtendedAsync(PublicUrl);
        Assert.Equal(["backend"], settings.Services.Single(s => s.Name == "whoami").WaitFor);
        var bundle = BundleComposer.Compose(settings);

        // One wave before the whole stack: everything that waits for nobody.
        var order = (YamlSequenceNode)At(Stack(settings), "x-buzztalk", "start-order");
        var wave = Assert.Single(order.Children);
        Assert.Equal("stack/start-1.yml", Text(wave, "file"));
        Assert.Equal(["frontend", "backend"], List(wave, "services"));

        var file = bundle.Single(f => f.Path == "stack/start-1.yml");
        Assert.Contains("  stack/start-1.yml\n", bundle.Single(f => f.Path == BundleComposer.ChecksumsPath).Content, StringComparison.Ordinal);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(file.Content));
        var first = yaml.Documents[0].RootNode;
        var services = ((YamlMappingNode)At(first, "services")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Equal(["edge", "frontend", "backend", "node-exporter", "cadvisor"], services);
        Assert.Equal(Text(Stack(settings), "configs", "nginx_conf", "name"), Text(first, "configs", "nginx_conf", "name"));
        Assert.False(((YamlMappingNode)At(first, "x-buzztalk")).Children.ContainsKey("start-order"));
        Assert.Contains("stack/start-1.yml", bundle.Single(f => f.Path == BundleReadme.Path).Content, StringComparison.Ordinal);

        // The boot script starts the same waves.
        var script = bundle.Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content;
        Assert.Contains("WAVE_FILES=('stack/start-1.yml')\n", script, StringComparison.Ordinal);
        Assert.Contains("WAVE_SERVICES=('frontend backend')\n", script, StringComparison.Ordinal);

        // Deterministic: the same model gives the same bytes.
        Assert.Equal(file.Content, BundleComposer.Compose(await ExtendedAsync(PublicUrl)).Single(f => f.Path == "stack/start-1.yml").Content);
    }

    [Fact]
    public async Task Services_that_wait_for_each_other_are_refused()
    {
        var settings = (await ExtendedAsync(PublicUrl)).WithService("backend", s => s with { WaitFor = ["whoami"] });

        var e = Assert.Throws<InvalidOperationException>(() => BundleComposer.Compose(settings));

        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
        Assert.Contains("backend", e.Message, StringComparison.Ordinal);
        Assert.Contains("whoami", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_apphost_starts_its_stack_at_once()
    {
        // The frontend waits for the backends only in a run: in the stack the edge proxies to them.
        var bundle = BundleComposer.Compose(PublishedModel.Settings(PublicUrl));

        Assert.All(PublishedModel.Settings(PublicUrl).Services, s => Assert.Empty(s.WaitFor));
        Assert.DoesNotContain(bundle, f => f.Path.StartsWith("stack/start-", StringComparison.Ordinal));
        Assert.False(((YamlMappingNode)At(Stack(PublishedModel.Settings(PublicUrl)), "x-buzztalk")).Children.ContainsKey("start-order"));
        Assert.DoesNotContain("start wave", bundle.Single(f => f.Path == BundleReadme.Path).Content, StringComparison.OrdinalIgnoreCase);
        // Nor has its boot script the waves' part (its bytes are those from before start waves).
        var script = bundle.Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content;
        Assert.DoesNotContain("WAVE_", script, StringComparison.Ordinal);
        Assert.DoesNotContain("start-waves", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_extended_bundle_passes_nginx_promtool_and_shellcheck()
    {
        var settings = await ExtendedAsync(PublicUrl);
        BundleDirectory.Write(_dir.Path, BundleComposer.Compose(settings));

        var site = StackFileGenerator.ProductionSite(settings) with { RuntimeDirectory = _dir.Path };
        var config = Path.Combine(_dir.Path, "edge-test.conf");
        await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(site));
        Assert.Contains("test is successful",
            await ToolRun.RunCheckedAsync("nginx", _dir.Path, "-t", "-p", _dir.Path + "/", "-c", config, "-e", "stderr"), StringComparison.Ordinal);
        Assert.Contains("SUCCESS", await ToolRun.RunCheckedAsync("promtool", _dir.Path, "check", "config", MonitoringGenerator.PrometheusConfigPath),
            StringComparison.Ordinal);
        foreach (var script in new[] { StartupScriptsGenerator.BootstrapPath, StartupScriptsGenerator.InstanceScriptPath, StartupScriptsGenerator.ShutdownScriptPath })
        {
            await ToolRun.RunCheckedAsync("shellcheck", _dir.Path, "-S", "style", "-s", "bash", script);
        }
    }

    [Fact]
    public async Task A_value_only_a_host_knows_cannot_become_an_argument()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("leaky", "busybox", "1")
                .WithArgs("--password", builder.AddParameter("leaky-password", secret: true).Resource)
                .PublishAsSwarmService()));

        Assert.Contains("'leaky'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_extended_stack_deploys_on_the_local_swarm_and_the_edge_reaches_the_new_service()
    {
        var services = await PublishedModel.ServicesAsync("http://127.0.0.1", extend: Extend);
        await using var stack = await LocalStackDeployment.DeployAsync(settings => settings with { Services = services }, asPublished: ["whoami"]);
        await stack.WaitConvergedAsync(TimeSpan.FromMinutes(3));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.FrontendPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok\n", await http.GetStringAsync("/whoami/index.html"));
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        // And straight through the host port its external TCP endpoint publishes.
        Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.1:{DirectPort}/index.html"));
    }
}
