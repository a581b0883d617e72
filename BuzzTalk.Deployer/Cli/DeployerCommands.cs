using System.Text.Json;
using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Ssh;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary>
/// What each CLI command does, given the global options; prints people's tables or JSON. A caller
/// that shows progress itself (the AppHost's deploy step) passes <paramref name="progress"/>: each
/// instance's steps, redacted, as they happen.
/// </summary>
public sealed class DeployerCommands(FileInfo? config, OutputFormat format, IReadOnlyList<string> only, TextWriter stdout, TextWriter stderr,
    Action<string, string>? progress = null)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stdout),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
    });

    public async Task<int> DeployAsync(DirectoryInfo bundleDirectory, IReadOnlyList<string>? services, string? imageTag, int parallel, int maxFailures,
        bool fleetRollback, DirectoryInfo? envDirectory, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(bundleDirectory, services, imageTag, cancellationToken).ConfigureAwait(false) is not { } prepared)
        {
            return DeployerCli.BadInput;
        }

        var (options, release, targets) = prepared;
        IReadOnlyDictionary<string, byte[]>? envFiles = null;
        if (envDirectory is not null)
        {
            // render-env --out writes the instance's files under instance/env/, one per service the bundle declares.
            var instanceEnv = new DirectoryInfo(Path.Combine(envDirectory.FullName, EnvRenderer.InstanceEnvDirectory));
            if (release.EnvFiles.FirstOrDefault(e => !File.Exists(Path.Combine(instanceEnv.FullName, e.FileName))) is { } absent)
            {
                return Fail($"{envDirectory.FullName} has no {EnvRenderer.InstanceEnvDirectory}/{absent.FileName}: "
                    + $"run render-env --bundle {bundleDirectory.FullName} --out {envDirectory.FullName} first.");
            }

            envFiles = instanceEnv.EnumerateFiles("*.env").ToDictionary(f => f.Name, f => File.ReadAllBytes(f.FullName), StringComparer.Ordinal);
            // A remote error could echo a value from these files: reports never show one.
            foreach (var content in envFiles.Values)
            {
                try
                {
                    var redact = SecretRedactor.RedactedSecrets(EnvFile.Parse(content));
                    var previous = _redact;
                    _redact = text => redact(previous(text));
                }
                catch (EnvFileInvalidException)
                {
                    // Written by render-env, so it parses; an edited one is still uploaded as is.
                }
            }
        }

        if (parallel < 1 || maxFailures < 0)
        {
            return Fail("--parallel must be at least 1 and --max-failures at least 0.");
        }

        var request = new RolloutRequest { Services = services, ImageTag = imageTag, EnvFiles = envFiles };
        var report = await WithProgressAsync(targets, progress => RecordedOperations.DeployAsync(new FleetRollout(options, progress), options, targets,
            release, request, parallel, maxFailures, fleetRollback, cancellationToken)).ConfigureAwait(false);
        return Print(report);
    }

    public async Task<int> RollbackAsync(IReadOnlyList<string>? services, int parallel, int maxFailures, CancellationToken cancellationToken)
    {
        if (Load() is not { } options || await TargetsAsync(options, cancellationToken).ConfigureAwait(false) is not { } targets)
        {
            return DeployerCli.BadInput;
        }

        var holder = new RolloutRequest().Holder;
        var report = await WithProgressAsync(targets, progress => RecordedOperations.RollbackAsync(new FleetRollout(options, progress), options, targets,
            DefaultStack, services, holder, parallel, maxFailures, cancellationToken)).ConfigureAwait(false);
        return Print(report);
    }

    public async Task<int> PlanAsync(DirectoryInfo bundleDirectory, IReadOnlyList<string>? services, string? imageTag, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(bundleDirectory, services, imageTag, cancellationToken).ConfigureAwait(false) is not { } prepared)
        {
            return DeployerCli.BadInput;
        }

        var (options, release, targets) = prepared;
        var request = new RolloutRequest { Services = services, ImageTag = imageTag };
        var plans = await new FleetRollout(options).ForEachAsync(targets, release.StackName, parallel: 4, maxFailures: int.MaxValue - 1,
            (rollout, ct) => rollout.PlanAsync(release, request, ct), p => p.Outcome == InstanceOutcome.Inspected,
            (t, outcome, message, _) => new InstancePlan(t.Name, t.Host, outcome, message), cancellationToken).ConfigureAwait(false);
        if (format == OutputFormat.Json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(plans.ToList(), DeployerJsonContext.Default.ListInstancePlan)).ConfigureAwait(false);
        }
        else
        {
            foreach (var plan in plans)
            {
                _console.MarkupLineInterpolated($"[bold]{plan.Instance}[/] ({plan.Host}): {plan.Message}; release {plan.CurrentRelease ?? "none"} -> {plan.NewRelease}");
                foreach (var image in plan.Images)
                {
                    _console.MarkupLineInterpolated($"  {image.Service}: {image.Running ?? "(not running)"} -> [green]{image.Planned}[/]");
                }

                foreach (var line in plan.StackDiff)
                {
                    _console.MarkupLineInterpolated($"  [{(line.StartsWith('+') ? "green" : "red")}]{line}[/]");
                }

                if (plan.LeaseHeld)
                {
                    _console.MarkupLine("  [yellow]a deploy lease is held right now[/]");
                }
            }
        }

        return plans.All(p => p.Outcome == InstanceOutcome.Inspected) ? DeployerCli.Success : DeployerCli.InstanceFailed;
    }

    public async Task<int> StatusAsync(bool leaseOnly, CancellationToken cancellationToken)
    {
        if (Load() is not { } options || await TargetsAsync(options, cancellationToken).ConfigureAwait(false) is not { } targets)
        {
            return DeployerCli.BadInput;
        }

        var (statuses, desired, recordError) = await RecordedOperations.StatusAsync(new FleetRollout(options), options, targets, DefaultStack, cancellationToken)
            .ConfigureAwait(false);
        if (recordError is not null)
        {
            await stderr.WriteLineAsync($"warning: {recordError}").ConfigureAwait(false);
        }

        if (format == OutputFormat.Json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(statuses.ToList(), DeployerJsonContext.Default.ListInstanceStatus)).ConfigureAwait(false);
        }
        else
        {
            var table = new Table().AddColumns("instance", leaseOnly ? "lease" : "service", leaseOnly ? "until" : "image", leaseOnly ? "operation" : "replicas", "state");
            foreach (var status in statuses)
            {
                var lease = status.Lease is { Held: true } held ? $"held by {held.Holder}" : "free";
                if (leaseOnly || status.Services.Count == 0)
                {
                    table.AddRow(Markup.Escape(status.Instance), Markup.Escape(leaseOnly ? lease : "-"),
                        Markup.Escape(status.Lease is { Held: true } l ? $"{l.Expires:u}" : "-"), Markup.Escape(status.Lease?.Operation ?? "-"), Markup.Escape(status.Message));
                    continue;
                }

                foreach (var service in status.Services)
                {
                    table.AddRow(Markup.Escape(status.Instance), Markup.Escape(service.Name), Markup.Escape(service.Image),
                        $"{service.Running}/{service.Desired?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "global"}",
                        Markup.Escape($"{service.UpdateState ?? "-"}; release {status.CurrentRelease ?? "none"}; lease {lease}"));
                }
            }

            _console.Write(table);
            foreach (var status in leaseOnly ? [] : statuses.Where(s => s.History.Count > 0))
            {
                // What ran, when, who: what a rollback goes back to is the line before the last.
                _console.MarkupLineInterpolated($"{status.Instance} releases, oldest first:");
                foreach (var entry in status.History)
                {
                    _console.MarkupLineInterpolated($"  {entry.RecordedAt:u} {entry.Operation} {entry.Describe()} by {entry.RecordedBy ?? "?"}");
                }
            }

            if (!leaseOnly && options.Release.Enabled)
            {
                _console.MarkupLineInterpolated($"desired release: {desired?.Describe() ?? "none recorded yet"}");
                foreach (var status in statuses)
                {
                    var runs = status.Running?.Describe() ?? "no recorded release";
                    if (status.Drift is { } drift)
                    {
                        _console.MarkupLineInterpolated($"  {status.Instance}: [red]drift[/]: {drift}");
                    }
                    else
                    {
                        _console.MarkupLineInterpolated($"  {status.Instance}: [green]on the desired release[/] ({runs})");
                    }
                }
            }
        }

        // Drift fails the command like an unreachable instance, so a script or CI step can check it.
        return statuses.All(s => s.Outcome == InstanceOutcome.Inspected && s.Drift is null) && recordError is null
            ? DeployerCli.Success : DeployerCli.InstanceFailed;
    }

    public async Task<int> ReleaseLeaseAsync(CancellationToken cancellationToken)
    {
        if (Load() is not { } options || await TargetsAsync(options, cancellationToken).ConfigureAwait(false) is not { } targets)
        {
            return DeployerCli.BadInput;
        }

        var reports = await new FleetRollout(options).RunAsync("lease release", targets, DefaultStack, parallel: 4, maxFailures: int.MaxValue - 1,
            async (rollout, ct) =>
            {
                var was = await rollout.ForceReleaseLeaseAsync(ct).ConfigureAwait(false);
                return new InstanceReport(rollout.Target.Name, rollout.Target.Host, InstanceOutcome.Deployed,
                    was is { IsHeld: true } ? $"released the lease of {was.Holder} ({was.Operation})" : "no lease was held", [], 0);
            }, cancellationToken).ConfigureAwait(false);
        return Print(reports);
    }

    public async Task<int> RenderEnvAsync(FileInfo envFile, DirectoryInfo bundleDirectory, DirectoryInfo outDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envFile);
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        ArgumentNullException.ThrowIfNull(outDirectory);
        if (!envFile.Exists)
        {
            return Fail($"{envFile.FullName} does not exist.");
        }

        IReadOnlyList<ServiceEnvFile> services;
        try
        {
            // The bundle says which variables each service reads.
            services = DeployBundle.Load(bundleDirectory.FullName).EnvFiles;
        }
        catch (BundleInvalidException ex)
        {
            return Fail(ex.Message);
        }

        IReadOnlyList<RenderedFile> written;
        try
        {
            written = await EnvRenderer.WriteAsync(outDirectory.FullName, EnvFile.Load(envFile.FullName), services, cancellationToken).ConfigureAwait(false);
        }
        catch (EnvFileInvalidException ex)
        {
            // The message names keys and lines, never values.
            return Fail($"{envFile.Name}: {ex.Message}");
        }

        foreach (var file in written)
        {
            await stdout.WriteLineAsync($"wrote {Path.Combine(outDirectory.FullName, file.RelativePath)} (mode {Convert.ToString((int)file.Mode, 8)})").ConfigureAwait(false);
        }

        return DeployerCli.Success;
    }

    public async Task<int> TunnelAsync(string host, int sshPort, string remoteHost, int remotePort, int localPort, CancellationToken cancellationToken)
    {
        if (Load() is not { } options)
        {
            return DeployerCli.BadInput;
        }

        var ssh = new SshHostOptions
        {
            User = options.Ssh.User,
            PrivateKeyFile = options.Ssh.PrivateKeyFile,
            KnownHostsFile = options.Ssh.KnownHostsFile,
            Port = sshPort > 0 ? sshPort : options.Ssh.Port,
            ConnectTimeout = options.Ssh.ConnectTimeout,
        };
        SshTunnel tunnel;
        try
        {
            var tunnelOptions = new SshTunnelOptions { RemoteHost = remoteHost, RemotePort = remotePort, LocalPort = localPort };
            tunnelOptions.Validate();
            tunnel = new SshTunnel(host, ssh, tunnelOptions);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FileNotFoundException)
        {
            return Fail($"tunnel: {ex.Message}");
        }

        await using (tunnel.ConfigureAwait(false))
        {
            tunnel.StateChanged += (_, e) => stderr.WriteLine($"tunnel {e.Previous} -> {e.Current}");
            try
            {
                await tunnel.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (SshFailure.IsUnreachable(ex) || ex is IOException)
            {
                stderr.WriteLine($"error: tunnel to {host}: {InstanceRollout.Describe(ex)}");
                return DeployerCli.InstanceFailed;
            }

            // The one line a caller (the AppHost) reads to find the port.
            await stdout.WriteLineAsync($"tunnel 127.0.0.1:{tunnel.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)} -> {remoteHost}:{remotePort.ToString(System.Globalization.CultureInfo.InvariantCulture)} via {host}").ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or the AppHost stopping the resource.
            }
        }

        return DeployerCli.Success;
    }

    private const string DefaultStack = "buzztalk";

    private async Task<(DeployerOptions Options, ReleaseContent Release, IReadOnlyList<DeployTarget> Targets)?> PrepareAsync(
        DirectoryInfo bundleDirectory, IReadOnlyList<string>? services, string? imageTag, CancellationToken cancellationToken)
    {
        if (Load() is not { } options)
        {
            return null;
        }

        ReleaseContent release;
        try
        {
            var bundle = DeployBundle.Load(bundleDirectory.FullName);
            if (services is not null)
            {
                bundle.ServicesNamed(services);
            }

            release = ReleaseContent.From(bundle);
        }
        catch (BundleInvalidException ex)
        {
            Fail(ex.Message);
            return null;
        }

        if (imageTag is not null && !Fleet.Swarm.SwarmNames.IsImageTag(imageTag))
        {
            Fail($"--image-tag '{imageTag}' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-], up to 128).");
            return null;
        }

        return await TargetsAsync(options, cancellationToken).ConfigureAwait(false) is { } targets ? (options, release, targets) : null;
    }

    private DeployerOptions? Load(bool needsSsh = true)
    {
        try
        {
            var options = DeployerCli.LoadOptions(config);
            if (DeployerOptionsValidator.Validate(options, needsSsh) is { Count: > 0 } errors)
            {
                Fail("settings:\n  " + string.Join("\n  ", errors));
                return null;
            }

            return options;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or InvalidDataException or FormatException)
        {
            Fail($"settings: {ex.Message}");
            return null;
        }
    }

    private async Task<IReadOnlyList<DeployTarget>?> TargetsAsync(DeployerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await InventoryResolver.ResolveAsync(options, only, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or HttpRequestException or JsonException or TaskCanceledException)
        {
            Fail($"inventory: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// People at a terminal get a live Spectre progress display, one line per instance; otherwise
    /// (CI logs, <c>--output json</c>) each step is a plain line on stderr.
    /// </summary>
    private async Task<FleetReport> WithProgressAsync(IReadOnlyList<DeployTarget> targets, Func<Action<DeployTarget, string>, Task<FleetReport>> run)
    {
        if (progress is not null)
        {
            return await run((target, step) => progress(target.Name, _redact(step))).ConfigureAwait(false);
        }

        if (format == OutputFormat.Json || stderr != Console.Error || Console.IsErrorRedirected)
        {
            return await run(Progress).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        FleetReport? report = null;
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = targets.ToDictionary(t => t.Name, t => context.AddTask(Markup.Escape($"{t.Name}: waiting"), maxValue: 1));
                report = await run((target, step) =>
                {
                    var task = tasks[target.Name];
                    task.Description = Markup.Escape($"{target.Name}: {_redact(step)}");
                    if (step.StartsWith("lease released", StringComparison.Ordinal) || step.StartsWith("lease not released", StringComparison.Ordinal))
                    {
                        task.Value = 1;
                        task.StopTask();
                    }
                }).ConfigureAwait(false);
                foreach (var task in tasks.Values)
                {
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return report!;
    }

    private void Progress(DeployTarget target, string step)
    {
        // Progress goes to stderr so stdout stays the report (JSON stays parseable).
        lock (stderr)
        {
            stderr.WriteLine($"[{target.Name}] {_redact(step)}");
        }
    }

    private Func<string, string> _redact = text => text;

    private int Print(FleetReport report)
    {
        report = report with
        {
            Instances = [.. report.Instances.Select(i => i with { Message = _redact(i.Message), Steps = [.. i.Steps.Select(_redact)] })],
        };
        if (format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, DeployerJsonContext.Default.FleetReport));
        }
        else
        {
            var table = new Table().AddColumns("instance", "host", "outcome", "seconds", "detail");
            foreach (var i in report.Instances)
            {
                var color = i.Succeeded ? "green" : i.Outcome is InstanceOutcome.Skipped or InstanceOutcome.Gone ? "grey" : "red";
                table.AddRow(Markup.Escape(i.Instance), Markup.Escape(i.Host), $"[{color}]{i.Outcome}[/]",
                    i.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(i.Message));
            }

            _console.Write(table);
            _console.MarkupLineInterpolated($"{report.Operation}: {report.Instances.Count(i => i.Succeeded)} of {report.Instances.Count} instance(s) succeeded in {report.Seconds:0.0} s");
            if (report.FleetRollbackSeconds is { } back)
            {
                _console.MarkupLineInterpolated($"[yellow]fleet rollback: the updated instances went back to their previous release ({back:0.0} s)[/]");
            }
            if (report.Record is { } record)
            {
                _console.MarkupLineInterpolated($"{record}");
            }

            if (report.RecordError is { } error)
            {
                _console.MarkupLineInterpolated($"[red]{error}[/]");
            }
        }

        return ExitCode(report);
    }

    /// <summary>0 done; 3 when the only failures are leases another holder kept (nothing changed there: try again later); else 1.</summary>
    public static int ExitCode(FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Succeeded)
        {
            return DeployerCli.Success;
        }

        var failed = report.Instances.Where(i => !i.Succeeded && i.Outcome is not (InstanceOutcome.Skipped or InstanceOutcome.Gone)).ToList();
        return failed.Count > 0 && failed.All(i => i.Outcome == InstanceOutcome.LeaseBusy) ? DeployerCli.LeaseBusy : DeployerCli.InstanceFailed;
    }

    private int Fail(string message)
    {
        stderr.WriteLine($"error: {message}");
        return DeployerCli.BadInput;
    }
}
