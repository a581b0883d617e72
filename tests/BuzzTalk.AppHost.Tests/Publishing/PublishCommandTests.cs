using System.Text;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing;

/// <summary>The publish command end to end: bundle contents, determinism, secrets, failures.</summary>
public sealed class PublishCommandTests
{
    // Values no generator could produce by chance, so finding one means it leaked.
    private static readonly string[] Secrets =
    [
        "RedisSecret-7f3a9c2e51", "MySqlSecret-0b8d4e6f93", "WebhookSecret-c41e7a2d08",
    ];

    private static string[] SecretArgs =>
    [
        $"--Parameters:public-url={PublishRun.PublicUrl}",
        $"--Parameters:redis-password={Secrets[0]}",
        $"--Parameters:mysql-password={Secrets[1]}",
        $"--Parameters:scaler-webhook-password={Secrets[2]}",
    ];

    [Fact]
    public async Task Two_publishes_to_different_directories_write_identical_bytes_with_no_secret_and_no_machine_path()
    {
        using var scratch = new ScratchDirectory();
        var first = Path.Combine(scratch.Path, "one");
        var second = Path.Combine(scratch.Path, "deeper", "two");

        var home = Path.Combine(scratch.Path, "home");
        Directory.CreateDirectory(home);
        var (exit1, output1) = await PublishRun.RunWithHomeAsync(first, home, SecretArgs);
        Assert.True(exit1 == 0, output1);
        var (exit2, output2) = await PublishRun.RunAsync(second, SecretArgs);
        Assert.True(exit2 == 0, output2);

        var a = PublishRun.ReadTree(first);
        var b = PublishRun.ReadTree(second);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (path, bytes) in a)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(b[path]), $"{path} differs between two publishes");
        }

        foreach (var expected in new[]
        {
            "aspire-manifest.json", "README.md", "SHA256SUMS", "stack/docker-stack.yml", "nginx/nginx.conf",
            "terraform/instances.tf.json", "terraform/load-balancer.tf.json",
        })
        {
            Assert.Contains(expected, a.Keys);
        }

        var repositoryRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(PublishRun.AppHostAssembly)!, "..", "..", "..", "..", ".."));
        foreach (var (path, bytes) in a)
        {
            var text = Encoding.UTF8.GetString(bytes);
            foreach (var secret in Secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{path} contains a secret value");
            }

            Assert.False(text.Contains(scratch.Path, StringComparison.Ordinal), $"{path} names the output directory");
            Assert.False(text.Contains(repositoryRoot, StringComparison.Ordinal), $"{path} names a folder of the publishing machine");
        }

        // Aspire would cache parameter values, secrets included, under ~/.aspire; publishing keeps none.
        foreach (var file in Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(Secrets, s => text.Contains(s, StringComparison.Ordinal));
        }

        // The manifest still references the secret parameters by name.
        var manifest = Encoding.UTF8.GetString(a["aspire-manifest.json"]);
        Assert.Contains("{redis-password.value}", manifest, StringComparison.Ordinal);
        Assert.Contains("\"path\": \"BuzzTalk.Scaler/BuzzTalk.Scaler.csproj\"", manifest, StringComparison.Ordinal);

        // The checksums verify with the standard tool.
        var check = await ToolRun.RunCheckedAsync("sha256sum", first, "-c", "SHA256SUMS");
        Assert.Contains("stack/docker-stack.yml: OK", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_public_url_fails_with_a_non_zero_exit_and_says_which_parameter()
    {
        using var scratch = new ScratchDirectory();
        var (exit, output) = await PublishRun.RunAsync(Path.Combine(scratch.Path, "out"));
        Assert.NotEqual(0, exit);
        Assert.Contains("Parameter 'public-url' is required to publish", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(scratch.Path, "out", "stack")));
    }

    [Fact]
    public async Task A_failing_step_makes_the_command_exit_non_zero()
    {
        using var scratch = new ScratchDirectory();
        // The output "directory" is a file: writing the bundle must fail, and the run must say so.
        var blocked = Path.Combine(scratch.Path, "blocked");
        await File.WriteAllTextAsync(blocked, "not a directory");
        var (exit, output) = await PublishRun.RunAsync(blocked, $"--Parameters:public-url={PublishRun.PublicUrl}");
        Assert.NotEqual(0, exit);
        Assert.Contains("Publish", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_public_url_is_refused()
    {
        using var scratch = new ScratchDirectory();
        var (exit, output) = await PublishRun.RunAsync(Path.Combine(scratch.Path, "out"), "--Parameters:public-url=http://x/$(reboot)");
        Assert.NotEqual(0, exit);
        Assert.True(output.Contains("must be an absolute http(s) URL", StringComparison.Ordinal), output);
    }
}
