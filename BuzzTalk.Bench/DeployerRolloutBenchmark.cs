using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// Deployer rollout time and failed requests, measured as a user runs it: the published bundle
/// (test app as backend), the Deployer CLI as its own process over real SSH to the local swarm.
/// One instance: a backend image update while a load loop requests through nginx. Ten logical
/// instances (one stack each, same host) with <c>--parallel 5</c>.
/// </summary>
public static class DeployerRolloutBenchmark
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static async Task<int> RunAsync(string repositoryRoot, int runs, int instances, int parallel, TextWriter output, CancellationToken cancellationToken)
    {
        using var scratch = new ScratchDirectory();
        await using var ssh = await SshServer.StartAsync();
        var knownHosts = Path.Combine(scratch.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, ssh.KnownHostsLine + "\n", cancellationToken);
        var deployer = Path.Combine(repositoryRoot, "BuzzTalk.Deployer", "bin", Configuration, "net10.0", "BuzzTalk.Deployer.dll");
        var appHost = Path.Combine(repositoryRoot, "BuzzTalk.AppHost", "bin", Configuration, "net10.0", "BuzzTalk.AppHost.dll");
        var frontendPort = ServerProcess.FreePort();
        var name = "bn" + Guid.NewGuid().ToString("N")[..6];
        var stacks = new List<string>();
        try
        {
            var full = await BundleAsync(appHost, Path.Combine(scratch.Path, "full"), frontendPort, backendOnly: false);
            var lean = await BundleAsync(appHost, Path.Combine(scratch.Path, "lean"), frontendPort, backendOnly: true);
            await File.WriteAllTextAsync(Path.Combine(scratch.Path, "bench.env"),
                "MYSQL_DB_NAME=bench\nMYSQL_DB_USER=bench\nMYSQL_DB_PASSWORD=bench-pw\nMYSQL_DB_HOST=127.0.0.1\nMYSQL_DB_PORT=3306\nREDIS_URL=redis://127.0.0.1:6379/0\nSCALER_WEBHOOK_PASSWORD=bench-hook\n",
                cancellationToken);
            var rendered = Path.Combine(scratch.Path, "rendered");
            await CliAsync(deployer, "render-env", "--env", Path.Combine(scratch.Path, "bench.env"), "--bundle", full, "--out", rendered);

            // One instance, the whole stack; then backend updates under load.
            var one = Settings(scratch.Path, name, ssh, knownHosts, ["one"], $"http://127.0.0.1:{frontendPort}/backend/health", stacks);
            await CliAsync(deployer, "deploy", "--config", one, "--bundle", full, "--env-dir", rendered);
            var single = new List<double>();
            var sent = 0;
            var failed = 0;
            for (var i = 0; i < runs; i++)
            {
                var tag = i % 2 == 0 ? "v2" : "v1";
                using var stop = new CancellationTokenSource();
                var load = LoadAsync(new Uri($"http://127.0.0.1:{frontendPort}/backend/version"), stop.Token);
                var started = Stopwatch.GetTimestamp();
                await CliAsync(deployer, "deploy", "--config", one, "--bundle", full, "--services", "backend", "--image-tag", tag);
                single.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                await stop.CancelAsync();
                var (s, f) = await load;
                sent += s;
                failed += f;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"one instance, backend -> {tag}: {single[^1]:F1} s, {s} requests, {f} failed"));
            }

            // Ten logical instances, backend only, --parallel: first rollout, then an image update.
            var names = Enumerable.Range(1, instances).Select(n => $"i{n}").ToList();
            var many = Settings(scratch.Path, name, ssh, knownHosts, names, "", stacks);
            var started10 = Stopwatch.GetTimestamp();
            await CliAsync(deployer, "deploy", "--config", many, "--bundle", lean, "--env-dir", rendered, "--parallel", parallel.ToString(CultureInfo.InvariantCulture));
            var first = Stopwatch.GetElapsedTime(started10).TotalSeconds;
            started10 = Stopwatch.GetTimestamp();
            await CliAsync(deployer, "deploy", "--config", many, "--bundle", lean, "--services", "backend", "--image-tag", "v2",
                "--parallel", parallel.ToString(CultureInfo.InvariantCulture));
            var update = Stopwatch.GetElapsedTime(started10).TotalSeconds;

            var sorted = single.Order().ToList();
            await output.WriteLineAsync();
            await output.WriteLineAsync("| case | runs | min s | median s | max s |");
            await output.WriteLineAsync("|---|---|---|---|---|");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| 1 instance, backend image update (start-first) | {sorted.Count} | {sorted[0]:F1} | {sorted[sorted.Count / 2]:F1} | {sorted[^1]:F1} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {instances} instances, first rollout, --parallel {parallel} | 1 | {first:F1} | {first:F1} | {first:F1} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {instances} instances, backend image update, --parallel {parallel} | 1 | {update:F1} | {update:F1} | {update:F1} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"requests through nginx during the one-instance rollouts: {sent}, failed: {failed}"));
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var stack in stacks)
            {
                await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "rm", stack);
            }
        }
    }

    internal static async Task<string> BundleAsync(string appHost, string directory, int frontendPort, bool backendOnly)
    {
        await CliAsync(appHost, "--operation", "publish", "--step", "publish", "--output-path", directory,
            "--Parameters:public-url=http://127.0.0.1", "--BuzzTalk:Images:Backend:Image=buzztalk/testapp", "--BuzzTalk:Images:Backend:Tag=v1");
        var stackFile = Path.Combine(directory, "stack", "docker-stack.yml");
        await File.WriteAllTextAsync(stackFile, TestStackFile.Rewrite(await File.ReadAllTextAsync(stackFile), frontendPort,
            "buzztalk/testapp:${BACKEND_IMAGE_TAG:-v1}", backendOnly ? ["backend"] : null, fastUpdates: true));
        // The stack file changed: its checksum line too.
        var sums = Path.Combine(directory, "SHA256SUMS");
        var lines = (await File.ReadAllLinesAsync(sums)).Select(line =>
        {
            var path = line[(line.IndexOf("  ", StringComparison.Ordinal) + 2)..];
            return path == "stack/docker-stack.yml"
                ? $"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(stackFile)))}  {path}"
                : line;
        });
        await File.WriteAllTextAsync(sums, string.Join('\n', lines) + "\n");
        return directory;
    }

    internal static string Settings(string root, string name, SshServer ssh, string knownHosts, List<string> instances, string health, List<string> stacks,
        IReadOnlyDictionary<string, object>? extra = null)
    {
        stacks.AddRange(instances.Select(i => $"{name}-{i}").Where(s => !stacks.Contains(s)));
        var settings = new Dictionary<string, object>
        {
            ["Deployer"] = new Dictionary<string, object>
            {
                ["Stack"] = name + "-{instance}",
                ["RemoteRoot"] = Path.Combine(root, "hosts", "{instance}", "opt"),
                ["EnvDirectory"] = Path.Combine(root, "hosts", "{instance}", "env"),
                ["LeaseDirectory"] = Path.Combine(root, "hosts", "{instance}", "lease"),
                ["PollInterval"] = "00:00:00.5",
                ["Health"] = new Dictionary<string, string> { ["Url"] = health, ["Timeout"] = "00:00:30" },
                ["Ssh"] = new Dictionary<string, string> { ["User"] = ssh.User, ["PrivateKeyFile"] = ssh.ClientKeyFile, ["KnownHostsFile"] = knownHosts },
                ["Instances"] = instances.Select(i => new Dictionary<string, object> { ["Name"] = i, ["Host"] = "127.0.0.1", ["SshPort"] = ssh.Port }).ToList(),
                ["RunDirectory"] = Path.Combine(root, "hosts", "{instance}", "run"),
            },
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            ((Dictionary<string, object>)settings["Deployer"])[key] = value;
        }

        var path = Path.Combine(root, $"settings-{instances.Count}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(settings));
        return path;
    }

    internal static async Task CliAsync(string assembly, params string[] args)
    {
        var (exit, log) = await ToolRun.RunAsync("dotnet", Path.GetTempPath(), [assembly, .. args]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(assembly)} {string.Join(' ', args)} exited {exit}:\n{log}");
        }
    }

    /// <summary>The rollout benchmark's load: one GET of <paramref name="url"/> through the edge every 10 ms until <paramref name="stop"/>.</summary>
    internal static async Task<(int Sent, int Failed)> LoadAsync(Uri url, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        int sent = 0, failed = 0;
        while (!stop.IsCancellationRequested)
        {
            sent++;
            try
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                failed += response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (HttpRequestException)
            {
                failed++;
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return (sent, failed);
    }
}
