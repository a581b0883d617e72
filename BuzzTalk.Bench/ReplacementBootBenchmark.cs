using System.Diagnostics;
using System.Globalization;
using BuzzTalk.AppHost.Publishing;
using BuzzTalk.AppHost.Publishing.Startup;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// A replaced instance booting into the desired release, as on the spot group: the Deployer (its
/// own process, real SSH, the local swarm) records v1 then a backend v2 in the fake bucket and
/// Secret Manager; then, per run, the instance loses its stack, releases and env files and the
/// published instance script runs as a boot would, timed until its nginx answers the health
/// check on v2. Images are present (the local swarm has them), as on a warm image cache.
/// </summary>
public static class ReplacementBootBenchmark
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static async Task<int> RunAsync(string repositoryRoot, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        using var scratch = new ScratchDirectory();
        await using var ssh = await SshServer.StartAsync();
        await using var cloud = await FakeInstanceCloud.StartAsync();
        var knownHosts = Path.Combine(scratch.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, ssh.KnownHostsLine + "\n", cancellationToken);
        var deployer = Path.Combine(repositoryRoot, "BuzzTalk.Deployer", "bin", Configuration, "net10.0", "BuzzTalk.Deployer.dll");
        var appHost = Path.Combine(repositoryRoot, "BuzzTalk.AppHost", "bin", Configuration, "net10.0", "BuzzTalk.AppHost.dll");
        var frontendPort = ServerProcess.FreePort();
        var name = "bb" + Guid.NewGuid().ToString("N")[..6];
        var stack = $"{name}-one";
        var stacks = new List<string>();
        try
        {
            var bundle = await DeployerRolloutBenchmark.BundleAsync(appHost, Path.Combine(scratch.Path, "bundle"), frontendPort, backendOnly: false);
            await File.WriteAllTextAsync(Path.Combine(scratch.Path, "bench.env"),
                "MYSQL_DB_NAME=bench\nMYSQL_DB_USER=bench\nMYSQL_DB_PASSWORD=bench-pw\nMYSQL_DB_HOST=127.0.0.1\nREDIS_URL=redis://127.0.0.1:6379/0\nSCALER_WEBHOOK_PASSWORD=bench-hook\n",
                cancellationToken);
            var rendered = Path.Combine(scratch.Path, "rendered");
            await DeployerRolloutBenchmark.CliAsync(deployer, "render-env", "--env", Path.Combine(scratch.Path, "bench.env"), "--out", rendered);
            var health = $"http://127.0.0.1:{frontendPort.ToString(CultureInfo.InvariantCulture)}/backend/health";
            var settings = DeployerRolloutBenchmark.Settings(scratch.Path, name, ssh, knownHosts, ["one"], health, stacks,
                new Dictionary<string, object>
                {
                    ["Release"] = new Dictionary<string, string>
                    {
                        ["Bucket"] = "bench-bucket",
                        ["MetadataUrl"] = cloud.MetadataUrl,
                        ["StorageUrl"] = cloud.StorageUrl,
                        ["UploadUrl"] = cloud.UploadUrl,
                        ["SecretManagerUrl"] = cloud.SecretManagerUrl,
                    },
                });
            await DeployerRolloutBenchmark.CliAsync(deployer, "deploy", "--config", settings, "--bundle", bundle, "--env-dir", rendered);
            await DeployerRolloutBenchmark.CliAsync(deployer, "deploy", "--config", settings, "--bundle", bundle, "--services", "backend", "--image-tag", "v2");
            cloud.Attributes[InstanceMetadataKeys.Bucket] = "bench-bucket";

            var script = Path.Combine(scratch.Path, "instance.sh");
            await File.WriteAllTextAsync(script, StartupScriptsGenerator.Generate(new PublishSettings { Name = name, PublicUrl = "http://127.0.0.1" })
                .Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content, cancellationToken);
            var host = Path.Combine(scratch.Path, "hosts", "one");
            var environment = new Dictionary<string, string>
            {
                ["BUZZTALK_METADATA_URL"] = cloud.MetadataUrl,
                ["BUZZTALK_STORAGE_URL"] = cloud.StorageUrl,
                ["BUZZTALK_SECRETMANAGER_URL"] = cloud.SecretManagerUrl,
                ["BUZZTALK_LOGGER"] = "true",
                ["BUZZTALK_USERMOD"] = "true",
                ["BUZZTALK_STACK_NAME"] = stack,
                ["BUZZTALK_BUNDLE_ROOT"] = Path.Combine(host, "opt"),
                ["BUZZTALK_ENV_DIR"] = Path.Combine(host, "env"),
                ["BUZZTALK_RUN_DIR"] = Path.Combine(host, "run"),
                ["BUZZTALK_LOCK_FILE"] = Path.Combine(scratch.Path, "instance.lock"),
                ["BUZZTALK_HEALTH_URL"] = health,
                ["BUZZTALK_HEALTH_INTERVAL_SECONDS"] = "0.5",
            };

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var seconds = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                await ReplaceAsync(stack, host);
                var started = Stopwatch.GetTimestamp();
                var (exit, log) = await ToolRun.RunAsync("bash", scratch.Path, environment, script);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var version = (await http.GetStringAsync(new Uri($"http://127.0.0.1:{frontendPort}/backend/version"), cancellationToken)).Trim();
                if (exit != 0 || version != "v2")
                {
                    throw new InvalidOperationException($"boot {run + 1} exited {exit} on {version}:\n{log}");
                }

                seconds.Add(elapsed);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"boot {run + 1}: healthy on the desired release (backend {version}) in {elapsed:F1} s"));
            }

            var sorted = seconds.Order().ToList();
            await output.WriteLineAsync();
            await output.WriteLineAsync("| case | runs | min s | median s | max s |");
            await output.WriteLineAsync("|---|---|---|---|---|");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| replaced instance: instance script start to healthy through nginx on the desired release | {sorted.Count} | {sorted[0]:F1} | {sorted[sorted.Count / 2]:F1} | {sorted[^1]:F1} |"));
            return 0;
        }
        finally
        {
            foreach (var name2 in stacks)
            {
                await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "rm", name2);
            }
        }
    }

    /// <summary>A new disk: no stack (and its network gone), no releases, no env files.</summary>
    private static async Task ReplaceAsync(string stack, string host)
    {
        await DockerCli.RemoveStackAsync(stack, TimeSpan.FromMinutes(2));
        foreach (var directory in new[] { "opt", "env" })
        {
            var path = Path.Combine(host, directory);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
