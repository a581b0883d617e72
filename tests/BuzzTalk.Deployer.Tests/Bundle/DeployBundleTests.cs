using System.Security.Cryptography;
using System.Text;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.Deployer.Tests.Bundle;

/// <summary>Loading bundles the real publisher wrote, and refusing tampered or incomplete ones.</summary>
public sealed class DeployBundleTests
{
    [Fact]
    public async Task A_published_bundle_lists_the_stack_services_and_their_images()
    {
        using var published = await PublishedBundle.WriteAsync();

        var bundle = DeployBundle.Load(published.Path);

        Assert.Equal(["edge", "frontend", "backend", "node-exporter", "cadvisor"], bundle.Services.Select(s => s.Name));
        // The edge is pinned; the app's images take a tag per deploy.
        Assert.Equal("docker.io/library/nginx:1.27-alpine", bundle.Services[0].Image);
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-backend:${BACKEND_IMAGE_TAG:-latest}", bundle.Services[2].Image);
        Assert.Equal("quay.io/prometheus/node-exporter:v1.8.2", bundle.Services[3].Image);
        Assert.Equal("buzztalk", bundle.StackName);
        Assert.Matches("^[0-9a-f]{12}$", bundle.ReleaseId);

        // Only the backend reads an env file: what the model takes from MySQL, Redis and its parameters.
        var env = Assert.Single(bundle.EnvFiles);
        Assert.Equal("backend.env", env.FileName);
        Assert.Equal(["MYSQL_DB_HOST", "MYSQL_DB_NAME", "MYSQL_DB_PASSWORD", "MYSQL_DB_PORT", "MYSQL_DB_USER", "REDIS_URL"], env.Required);
        Assert.Equal(["DJANGO_SECRET_KEY"], env.Optional);
        Assert.Contains("FRONT", env.StackOwned);
        Assert.Contains("DEBUG", env.StackOwned);
    }

    [Fact]
    public async Task The_stack_name_follows_the_model_name()
    {
        using var published = await PublishedBundle.WriteAsync(PublishedModel.Settings("http://203.0.113.10", "chat-prod"));

        Assert.Equal("chat-prod", DeployBundle.Load(published.Path).StackName);
    }

    [Fact]
    public async Task Files_for_an_instance_are_the_stack_and_nginx_config_byte_for_byte()
    {
        using var published = await PublishedBundle.WriteAsync();

        var bundle = DeployBundle.Load(published.Path);

        Assert.Equal(["nginx/nginx.conf", "nginx/spa.conf", "stack/docker-stack.yml"], bundle.Files.Keys);
        foreach (var (path, bytes) in bundle.Files)
        {
            Assert.Equal(File.ReadAllBytes(published.File(path)), bytes.ToArray());
        }
    }

    [Fact]
    public async Task The_release_id_is_the_head_of_the_checksums_hash()
    {
        using var published = await PublishedBundle.WriteAsync();

        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(published.File("SHA256SUMS"))))[..12];

        Assert.Equal(expected, DeployBundle.Load(published.Path).ReleaseId);
    }

    [Fact]
    public async Task Identical_bundles_have_the_same_release_id()
    {
        using var first = await PublishedBundle.WriteAsync();
        using var second = await PublishedBundle.WriteAsync();

        Assert.Equal(DeployBundle.Load(first.Path).ReleaseId, DeployBundle.Load(second.Path).ReleaseId);
    }

    [Fact]
    public async Task A_changed_bundle_has_a_different_release_id()
    {
        using var first = await PublishedBundle.WriteAsync();
        using var second = await PublishedBundle.WriteAsync(PublishedModel.Settings("http://203.0.113.11"));

        Assert.NotEqual(DeployBundle.Load(first.Path).ReleaseId, DeployBundle.Load(second.Path).ReleaseId);
    }

    [Theory]
    [InlineData("stack/docker-stack.yml")]
    [InlineData("nginx/nginx.conf")]
    [InlineData("terraform/instances.tf.json")]
    [InlineData("README.md")]
    public async Task A_tampered_file_is_refused_by_name(string path)
    {
        using var published = await PublishedBundle.WriteAsync();
        Assert.True(File.Exists(published.File(path)), path);
        await File.AppendAllTextAsync(published.File(path), "# edited by hand\n");

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stack/docker-stack.yml")]
    [InlineData("nginx/nginx.conf")]
    [InlineData("SHA256SUMS")]
    public async Task A_missing_required_file_is_refused_by_name(string path)
    {
        using var published = await PublishedBundle.WriteAsync();
        File.Delete(published.File(path));

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains($"'{path}' is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_listed_file_is_refused_by_name()
    {
        using var published = await PublishedBundle.WriteAsync();
        File.Delete(published.File("startup/instance.sh"));

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("'startup/instance.sh' is listed in SHA256SUMS but missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_not_listed_in_the_checksums_are_ignored()
    {
        using var published = await PublishedBundle.WriteAsync();
        await File.WriteAllTextAsync(published.File("aspire-manifest.json"), "{}");

        Assert.Equal("buzztalk", DeployBundle.Load(published.Path).StackName);
    }

    [Fact]
    public async Task A_stack_file_not_covered_by_the_checksums_is_refused()
    {
        using var published = await PublishedBundle.WriteAsync();
        var sums = File.ReadAllLines(published.File("SHA256SUMS")).Where(l => !l.EndsWith("  stack/docker-stack.yml", StringComparison.Ordinal));
        await File.WriteAllTextAsync(published.File("SHA256SUMS"), string.Join('\n', sums) + "\n");

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("'stack/docker-stack.yml' is not listed in SHA256SUMS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checksums_line_escaping_the_bundle_is_refused()
    {
        using var published = await PublishedBundle.WriteAsync();
        await File.AppendAllTextAsync(published.File("SHA256SUMS"), new string('0', 64) + "  ../outside\n");

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("'../outside'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_spa_config_edited_with_recomputed_checksums_is_refused_because_swarm_configs_are_immutable()
    {
        using var published = await PublishedBundle.WriteAsync();
        await File.AppendAllTextAsync(published.File("nginx/spa.conf"), "# edited\n");
        await RewriteChecksumsAsync(published);

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("does not carry the hash of nginx/spa.conf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_named_are_returned_in_the_order_asked()
    {
        using var published = await PublishedBundle.WriteAsync();
        var bundle = DeployBundle.Load(published.Path);

        var services = bundle.ServicesNamed(["frontend", "backend", "frontend"]);

        Assert.Equal(["frontend", "backend"], services.Select(s => s.Name));
    }

    [Fact]
    public async Task An_unknown_service_is_refused_with_the_stack_services()
    {
        using var published = await PublishedBundle.WriteAsync();
        var bundle = DeployBundle.Load(published.Path);

        var e = Assert.Throws<BundleInvalidException>(() => bundle.ServicesNamed(["backend", "worker"]));

        Assert.Equal("unknown service 'worker' (the stack has edge, frontend, backend, node-exporter, cadvisor)", e.Message);
    }

    [Fact]
    public async Task The_probed_connection_names_are_read_and_one_that_is_no_variable_name_is_refused()
    {
        using var published = await PublishedBundle.WriteAsync();
        Assert.Equal(new ProbedConnections("mysql", "redis"), DeployBundle.Load(published.Path).Probes);

        // Names become ConnectionStrings__{name} in a systemd env file on the ops host.
        var stack = published.File("stack/docker-stack.yml");
        var text = await File.ReadAllTextAsync(stack);
        Assert.Contains("    mysql: mysql\n", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(stack, text.Replace("    mysql: mysql\n", "    mysql: \"x\\nEvil=1\"\n", StringComparison.Ordinal));
        await RewriteChecksumsAsync(published);

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("'x-buzztalk: probes: mysql'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_path_is_read_from_the_stack_file_and_follows_the_model()
    {
        using var published = await PublishedBundle.WriteAsync();
        Assert.Equal("/backend/health", DeployBundle.Load(published.Path).HealthPath);

        using var ready = await PublishedBundle.WriteAsync(PublishedModel.Settings("http://203.0.113.10").WithService("backend", s => s with { HealthPath = "/ready" }));
        Assert.Equal("/backend/ready", DeployBundle.Load(ready.Path).HealthPath);
    }

    [Fact]
    public async Task A_bundle_from_before_the_health_key_loads_without_a_health_path()
    {
        using var published = await PublishedBundle.WriteAsync();
        await EditStackAsync(published, "  health: /backend/health\n", "");

        Assert.Null(DeployBundle.Load(published.Path).HealthPath);
    }

    [Theory]
    [InlineData("backend/health")]
    [InlineData("\"/backend/health; rm -rf /\"")]
    [InlineData("\"/backend/'health'\"")]
    [InlineData("\"/backend/health\\nHost: evil\"")]
    [InlineData("[/backend/health]")]
    public async Task A_health_path_that_is_no_plain_path_is_refused_by_its_key(string written)
    {
        using var published = await PublishedBundle.WriteAsync();
        await EditStackAsync(published, "  health: /backend/health\n", $"  health: {written}\n");

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains("'x-buzztalk: health'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Replaces text of the stack file, which must hold it, and rewrites the checksums.</summary>
    private static async Task EditStackAsync(PublishedBundle published, string written, string edited)
    {
        var stack = published.File("stack/docker-stack.yml");
        var text = await File.ReadAllTextAsync(stack);
        Assert.Contains(written, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(stack, text.Replace(written, edited, StringComparison.Ordinal));
        await RewriteChecksumsAsync(published);
    }

    [Fact]
    public async Task The_start_order_is_read_and_its_wave_files_travel_with_the_release()
    {
        using var plain = await PublishedBundle.WriteAsync();
        Assert.Empty(DeployBundle.Load(plain.Path).StartOrder);

        using var published = await PublishedBundle.WriteAsync(WaitingFrontend());
        var bundle = DeployBundle.Load(published.Path);

        var wave = Assert.Single(bundle.StartOrder);
        Assert.Equal("stack/start-1.yml", wave.File);
        Assert.Equal(["backend"], wave.Services);
        Assert.Equal(["nginx/nginx.conf", "nginx/spa.conf", "stack/docker-stack.yml", "stack/start-1.yml"], bundle.Files.Keys);
        Assert.Equal(File.ReadAllBytes(published.File("stack/start-1.yml")), bundle.Files["stack/start-1.yml"].ToArray());
    }

    [Theory]
    [InlineData("    - file: stack/start-1.yml\n", "    - file: stack/../start-1.yml\n", "stack/start-<n>.yml")]
    [InlineData("    - file: stack/start-1.yml\n", "    - file: stack/start-2.yml\n", "'stack/start-2.yml' (x-buzztalk: start-order) is not listed in SHA256SUMS")]
    [InlineData("        - backend\nservices:\n", "        - worker\nservices:\n", "names 'worker', which is not a service of the stack")]
    [InlineData("      services:\n        - backend\n", "      services: backend\n", "must list its services")]
    [InlineData("  start-order:\n", "  start-order: stack/start-1.yml\n  ignored:\n", "must be a list of waves")]
    public async Task A_bad_start_order_is_refused(string written, string edited, string message)
    {
        using var published = await PublishedBundle.WriteAsync(WaitingFrontend());
        var stack = published.File("stack/docker-stack.yml");
        var text = await File.ReadAllTextAsync(stack);
        Assert.Contains(written, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(stack, text.Replace(written, edited, StringComparison.Ordinal));
        await RewriteChecksumsAsync(published);

        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(published.Path));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static PublishSettings WaitingFrontend() =>
        PublishedModel.Settings("http://203.0.113.10").WithService("frontend", s => s with { WaitFor = ["backend"] });

    [Fact]
    public void A_directory_that_does_not_exist_is_refused()
    {
        var e = Assert.Throws<BundleInvalidException>(() => DeployBundle.Load(Path.Combine(Path.GetTempPath(), "no-such-bundle-" + Guid.NewGuid().ToString("N"))));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    /// <summary>What a careless hand edit plus <c>sha256sum * &gt; SHA256SUMS</c> would produce.</summary>
    private static async Task RewriteChecksumsAsync(PublishedBundle published)
    {
        var text = new StringBuilder();
        foreach (var line in await File.ReadAllLinesAsync(published.File("SHA256SUMS")))
        {
            var path = line[66..];
            text.Append(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(published.File(path))))).Append("  ").Append(path).Append('\n');
        }

        await File.WriteAllTextAsync(published.File("SHA256SUMS"), text.ToString());
    }
}
