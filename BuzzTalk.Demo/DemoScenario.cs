using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Demo;

/// <summary>
/// The whole loop on the local fleet, through the platform's own APIs: deploy the bundle with the
/// Deployer, load the site through nginx until the Scaler adds a backend replica, deploy a new
/// backend under that load, try a broken one (rolled back), stop the load and wait for the
/// scale-down, then read what Prometheus and the Scaler saw. Exit code 0 only if all went as expected.
/// </summary>
public sealed partial class DemoScenario(IOptions<DemoOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<DemoScenario> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly string[] BackendOnly = ["backend"];
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private readonly DemoOptions _o = options.Value;
    private readonly HttpClient _deployer = http.CreateClient(DemoExtensions.Deployer);
    private readonly HttpClient _scaler = http.CreateClient(DemoExtensions.Scaler);
    private readonly HttpClient _prometheus = http.CreateClient(DemoExtensions.Prometheus);
    private readonly HttpClient _site = http.CreateClient(DemoExtensions.Site);
    private DemoSummary _summary = new();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        _summary = new DemoSummary { Started = time.GetUtcNow() };
        using var tracking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tracker = TrackReplicasAsync(tracking.Token);
        try
        {
            await ScenarioAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DemoStepException or HttpRequestException or TimeoutException or JsonException)
        {
            _summary.Problems.Add(ex.Message);
            Log.StepFailed(logger, ex.Message);
        }
        finally
        {
            await tracking.CancelAsync().ConfigureAwait(false);
            await tracker.ConfigureAwait(false);
        }

        _summary.Decisions.AddRange(await DecisionsAsync(CancellationToken.None).ConfigureAwait(false));
        _summary.AlertReachedScaler = _summary.Decisions.Any(IsAlertmanager);
        _summary.WallSeconds = time.GetElapsedTime(started).TotalSeconds;
        if (_o.SummaryFile is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(_summary, Indented), CancellationToken.None)
                .ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.ChangeExtension(file, ".txt"), DemoReport.Text(_summary), CancellationToken.None).ConfigureAwait(false);
        }

        DemoReport.Print(_summary);
        return _summary.Passed ? 0 : 1;
    }

    private async Task ScenarioAsync(CancellationToken ct)
    {
        Log.Step(logger, "1/8", "deploy the published bundle to the local fleet");
        await DeployAsync("first deploy", new { }, "bundle", expect: "Deployed", load: null, ct).ConfigureAwait(false);
        // The overload figure counts from one settled replica: if anything but the load added one
        // (it should not: start-up is not load), wait for the Scaler to take it away first.
        await WaitForReplicasAsync(r => r == 1, TimeSpan.FromMinutes(2) + _o.ScaleDownLimit, "a single running backend before the load", ct).ConfigureAwait(false);
        using (var health = await _site.GetAsync(new Uri(_o.BackendHealthPath, UriKind.Relative), ct).ConfigureAwait(false))
        {
            if (health.StatusCode != HttpStatusCode.OK)
            {
                throw new DemoStepException($"the site's {_o.BackendHealthPath} answered {(int)health.StatusCode} after the first deploy");
            }
        }

        Log.Load(logger, _o.LoadConcurrency);
        await using var load = new LoadGenerator(_site, _o.LoadConcurrency, _o.BackendHealthPath);
        var loadStart = time.GetTimestamp();
        var before = load.Counters;
        load.Start();
        await WaitForReplicasAsync(r => r >= 2, _o.LoadLimit, "a second backend replica under load", ct).ConfigureAwait(false);
        _summary.OverloadToReplicaSeconds = time.GetElapsedTime(loadStart).TotalSeconds;
        Log.Scaled(logger, _summary.OverloadToReplicaSeconds.Value);

        Log.DeployTag(logger, "3/8", _o.NextBackendTag, "under load");
        await DeployAsync("new backend", new { services = BackendOnly, imageTag = _o.NextBackendTag }, _o.NextBackendTag, "Deployed", load, ct).ConfigureAwait(false);

        Log.DeployTag(logger, "4/8", _o.BrokenBackendTag, "which never turns healthy");
        await DeployAsync("broken backend", new { services = BackendOnly, imageTag = _o.BrokenBackendTag }, _o.BrokenBackendTag, "RolledBack", load, ct).ConfigureAwait(false);
        var lease = (await StatusAsync(ct).ConfigureAwait(false))?.Lease;
        _summary.LeaseReleasedAfterRollback = lease is null || !lease.Held;
        if (_summary.LeaseReleasedAfterRollback == false)
        {
            _summary.Problems.Add($"the deploy lease is still held by {lease!.Holder} after the rollback");
        }

        // Prometheus' rule needs a minute of sustained pressure and Alertmanager a moment more:
        // the load goes on (bounded) until the alert's webhook has reached the Scaler.
        if (_o.AlertLimit > TimeSpan.Zero)
        {
            Log.Step(logger, "5/8", "keep the load until the scaling alert reaches the Scaler through Alertmanager");
            var waited = time.GetTimestamp();
            while (!(await DecisionsAsync(ct).ConfigureAwait(false)).Any(IsAlertmanager))
            {
                if (time.GetElapsedTime(waited) > _o.AlertLimit)
                {
                    _summary.Problems.Add($"no scaling alert reached the Scaler through Alertmanager within {_o.AlertLimit.TotalSeconds:F0} s of pressure");
                    break;
                }

                await Task.Delay(Poll, time, ct).ConfigureAwait(false);
            }
        }

        await load.StopAsync().ConfigureAwait(false);
        var total = load.Counters - before;
        _summary.LoadSent = total.Sent - _summary.Deploys.Sum(d => d.Sent);
        _summary.LoadFailed = total.Failed - _summary.Deploys.Sum(d => d.Failed);

        Log.Step(logger, "6/8", "load stopped: wait for the Scaler to remove the extra replicas");
        var stopped = time.GetTimestamp();
        try
        {
            await WaitForReplicasAsync(r => r == 1, _o.ScaleDownLimit, "scale-down to one backend replica", ct).ConfigureAwait(false);
            _summary.ScaleDownSeconds = time.GetElapsedTime(stopped).TotalSeconds;
        }
        catch (DemoStepException ex)
        {
            // Reported; what Prometheus and the Scaler saw is still worth reading.
            _summary.Problems.Add(ex.Message);
        }

        Log.Step(logger, "7/8", "read Prometheus' targets for the instance (from Discovery)");
        await ReadTargetsAsync(ct).ConfigureAwait(false);

        Log.Step(logger, "8/8", "read the Scaler's decisions");
    }

    private async Task DeployAsync(string name, object request, string tag, string expect, LoadGenerator? load, CancellationToken ct)
    {
        var before = load?.Counters ?? default;
        var started = time.GetTimestamp();
        using var response = await _deployer.PostAsJsonAsync(new Uri("/api/deploy", UriKind.Relative), request, Json, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new DemoStepException($"{name}: the Deployer answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        var operation = await response.Content.ReadFromJsonAsync<OperationView>(Json, ct).ConfigureAwait(false)
            ?? throw new DemoStepException($"{name}: the Deployer answered no operation");
        var deadline = time.GetTimestamp();
        while (operation.State == "running")
        {
            if (time.GetElapsedTime(deadline) > _o.DeployLimit)
            {
                throw new DemoStepException($"{name}: still running after {_o.DeployLimit}");
            }

            await Task.Delay(Poll, time, ct).ConfigureAwait(false);
            operation = await _deployer.GetFromJsonAsync<OperationView>(new Uri($"/api/operations/{operation.Id}", UriKind.Relative), Json, ct).ConfigureAwait(false)
                ?? throw new DemoStepException($"{name}: operation {operation.Id} vanished");
        }

        var counted = (load?.Counters ?? default) - before;
        var instance = operation.Report?.Instances is [var first, ..] ? first : null;
        var outcome = instance?.Outcome ?? operation.State;
        var result = new DeployResult(name, tag, outcome, time.GetElapsedTime(started).TotalSeconds, counted.Sent, counted.Failed,
            instance?.Message ?? operation.Error ?? "");
        _summary.Deploys.Add(result);
        Log.Deployed(logger, name, outcome, result.Seconds, counted.Sent, counted.Failed);
        if (!string.Equals(outcome, expect, StringComparison.OrdinalIgnoreCase))
        {
            _summary.Problems.Add($"{name}: expected {expect}, got {outcome} ({result.Message})");
        }

        if (counted.Failed > 0 && string.Equals(expect, "Deployed", StringComparison.OrdinalIgnoreCase))
        {
            _summary.Problems.Add($"{name}: {counted.Failed} of {counted.Sent} requests failed during the deploy (last: {load?.LastFailure})");
        }
    }

    /// <summary>Waits until the backend's running replicas satisfy <paramref name="wanted"/>, as the replica tracker sees them.</summary>
    private async Task WaitForReplicasAsync(Func<int, bool> wanted, TimeSpan limit, string what, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if (await BackendAsync(ct).ConfigureAwait(false) is { } backend && wanted(backend.Running) && backend.Desired == backend.Running)
            {
                return;
            }

            if (time.GetElapsedTime(started) > limit)
            {
                throw new DemoStepException($"no {what} within {limit.TotalSeconds:F0} s");
            }

            await Task.Delay(Poll, time, ct).ConfigureAwait(false);
        }
    }

    private async Task TrackReplicasAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        ReplicaSample? last = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await BackendAsync(ct).ConfigureAwait(false) is { } backend
                    && (last is null || last.Desired != backend.Desired || last.Running != backend.Running || last.Image != backend.Image))
                {
                    last = new ReplicaSample(Math.Round(time.GetElapsedTime(started).TotalSeconds, 1), backend.Desired, backend.Running, backend.Image);
                    lock (_summary.Replicas)
                    {
                        _summary.Replicas.Add(last);
                        _summary.PeakReplicas = Math.Max(_summary.PeakReplicas, backend.Running);
                    }

                    Log.Replicas(logger, backend.Running, backend.Desired, backend.Image);
                }

                await Task.Delay(Poll, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
            {
                // The status call goes over SSH; one miss is retried at the next poll.
            }
        }
    }

    private async Task<ServiceStatusView?> BackendAsync(CancellationToken ct) =>
        (await StatusAsync(ct).ConfigureAwait(false))?.Services?.FirstOrDefault(s => s.Name == _o.BackendService);

    private async Task<InstanceStatusView?> StatusAsync(CancellationToken ct)
    {
        var statuses = await _deployer.GetFromJsonAsync<List<InstanceStatusView>>(new Uri("/api/status", UriKind.Relative), Json, ct).ConfigureAwait(false);
        return statuses?.FirstOrDefault(s => s.Instance == _o.Instance);
    }

    private async Task ReadTargetsAsync(CancellationToken ct)
    {
        using var document = await JsonDocument.ParseAsync(
            await _prometheus.GetStreamAsync(new Uri("/api/v1/targets?state=active", UriKind.Relative), ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
        foreach (var target in document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray())
        {
            var labels = target.GetProperty("labels");
            var discovered = target.GetProperty("discoveredLabels");
            if (!labels.TryGetProperty("instance_name", out var instanceName) || instanceName.GetString() != _o.Instance)
            {
                continue;
            }

            _summary.Targets.Add(new TargetSample(labels.GetProperty("job").GetString() ?? "", labels.GetProperty("instance").GetString() ?? "",
                discovered.GetProperty("__address__").GetString() ?? "", target.GetProperty("health").GetString() ?? "", instanceName.GetString()));
        }

        foreach (var job in new[] { "node-exporter", "cadvisor" })
        {
            if (!_summary.Targets.Any(t => t.Job == job))
            {
                _summary.Problems.Add($"Prometheus has no {job} target for {_o.Instance} from Discovery");
            }
        }
    }

    private static bool IsAlertmanager(DecisionView decision) => decision.Source.Contains("alertmanager", StringComparison.OrdinalIgnoreCase);

    private async Task<IReadOnlyList<DecisionView>> DecisionsAsync(CancellationToken ct)
    {
        try
        {
            var decisions = await _scaler.GetFromJsonAsync<List<DecisionView>>(new Uri("/api/decisions", UriKind.Relative), Json, ct).ConfigureAwait(false) ?? [];
            return [.. decisions.Where(d => d.Service == _o.BackendService && d.At >= _summary.Started).OrderBy(d => d.At)];
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            _summary.Problems.Add($"the Scaler's decisions could not be read: {ex.Message}");
            return [];
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step}: {What}")]
        public static partial void Step(ILogger logger, string step, string what);

        [LoggerMessage(Level = LogLevel.Information, Message = "Step 2/8: load through nginx ({Concurrency} requests in flight) until the Scaler adds a backend replica")]
        public static partial void Load(ILogger logger, int concurrency);

        [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step}: deploy backend {Tag}, {What}")]
        public static partial void DeployTag(ILogger logger, string step, string tag, string what);

        [LoggerMessage(Level = LogLevel.Information, Message = "A second backend replica runs {Seconds:F1} s after the load started")]
        public static partial void Scaled(ILogger logger, double seconds);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: {Outcome} in {Seconds:F1} s; {Sent} requests sent, {Failed} failed meanwhile")]
        public static partial void Deployed(ILogger logger, string name, string outcome, double seconds, long sent, long failed);

        [LoggerMessage(Level = LogLevel.Information, Message = "Backend replicas: {Running} running of {Desired} ({Image})")]
        public static partial void Replicas(ILogger logger, int running, int? desired, string image);

        [LoggerMessage(Level = LogLevel.Error, Message = "Demo step failed: {Reason}")]
        public static partial void StepFailed(ILogger logger, string reason);
    }
}
