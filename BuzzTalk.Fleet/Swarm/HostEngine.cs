using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// One host's Docker Engine API through <c>docker system dial-stdio</c> processes on the host's SSH
/// connection (the docker CLI's own way of reaching a remote engine), two ways:
/// <list type="bullet">
/// <item>One kept-open process fenced by the host's <see cref="LeaseGate"/>, carrying the scale
/// (the lease check, the spec read, the compare-and-set update and the unlock, a few milliseconds
/// on open channels) and the quick reads a scale decision waits on (services, node capacity).
/// Calls on it run one at a time; the gate and the process are opened on first use and opened
/// again, both, after any failure (then the gate's fence keeps the lease lock until whatever was
/// sent has reached the engine). HTTP runs over the process as its one connection
/// (<see cref="EngineHttp.OverProcess"/>), never over another.</item>
/// <item>A few unfenced read connections, each a plain dial-stdio process opened on demand and
/// closed after a few idle seconds, for the reads that are slow (container stats, about a second
/// each, run side by side) or that poll in the background (running tasks): they change nothing,
/// so they need no fence, and on the fenced process they would hold up a scale, or tear its
/// channels down when they fail.</item>
/// </list>
/// Each process is an SSH session of the one connection: with the gate's helper that is
/// <c>2 + readConnections</c> sessions at most, within sshd's default <c>MaxSessions</c> of 10.
/// </summary>
public sealed partial class HostEngine : IAsyncDisposable
{
    /// <summary>
    /// Read connections at most: a service's containers on a host are sampled in one go, as
    /// <c>docker stats</c> samples them (the published fleet runs at most 4 backends per host).
    /// </summary>
    public const int DefaultReadConnections = 4;

    private const string ServiceLabel = "com.docker.swarm.service.name";

    // Longer than a convergence poll's interval and a stats round, shorter than the evaluator's
    // default interval (10 s): no dial-stdio process (about 24 MB each) lingers on the host between rounds.
    private static readonly TimeSpan s_readIdleTimeout = TimeSpan.FromSeconds(5);

    private readonly SshHostSession _host;
    private readonly string _leaseDirectory;
    private readonly IReadOnlyList<string> _docker;
    private readonly EngineHttp _reads;
    private readonly SemaphoreSlim _calls = new(1, 1);
    private LeaseGate? _gate;
    private RemoteProcess? _process;
    private EngineHttp? _engine;
    private string? _nodeId;

    public HostEngine(SshHostSession host, string leaseDirectory = DeployLease.DefaultDirectory, IReadOnlyList<string>? docker = null,
        int readConnections = DefaultReadConnections)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _leaseDirectory = leaseDirectory;
        _docker = docker is { Count: > 0 } ? docker : ["docker"];
        _reads = new EngineHttp(host.Host, OpenReadConnectionAsync, readConnections, s_readIdleTimeout);
    }

    public string Host => _host.Host;

    /// <summary>Times the gate and fenced engine connection were opened successfully (the first time and after failures).</summary>
    public int Opened { get; private set; }

    /// <summary>
    /// Sets <paramref name="service"/> to <paramref name="replicas"/> unless a deploy holds the
    /// lease, with the check and the update under the lease's lock. Returns the held lease when it
    /// deferred, null when swarm accepted the new count (returns once the engine answered).
    /// </summary>
    public async Task<LeaseState?> ScaleIfFreeAsync(string service, int replicas, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        SwarmNames.RequireReplicas(replicas);
        return await CallAsync<LeaseState?>(async (gate, engine, ct) =>
        {
            // The read of the spec needs no lock (the update is a compare-and-set on its version):
            // it runs on the fenced connection while the gate takes the lock on its own.
            var inspecting = engine.SendAsync(HttpMethod.Get, $"/services/{service}", null, ct);
            var locking = gate.LockIfFreeAsync(ct);
            // Whichever fails, CallAsync closes both; when locked, the fence keeps the lock until
            // the fenced process has ended.
            await Task.WhenAll(inspecting, locking).ConfigureAwait(false);

            if (locking.Result is { } held)
            {
                return held;
            }

            var refused = await UpdateReplicasAsync(engine, service, replicas, inspecting.Result, ct).ConfigureAwait(false);
            gate.Unlock();
            return refused is null ? null : throw refused;
        }, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every service with its replicas, limits and reservations (as <c>docker service inspect</c>).</summary>
    public Task<IReadOnlyList<SwarmService>> ListServicesAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<SwarmService>>(async (_, engine, ct) =>
        {
            var answer = await engine.RequireAsync(HttpMethod.Get, "/services", ct).ConfigureAwait(false);
            var inspected = JsonSerializer.Deserialize(answer.Body, SwarmJsonContext.Default.ListServiceInspect) ?? [];
            return [.. inspected.Select(ToService).OrderBy(s => s.Name, StringComparer.Ordinal)];
        }, timeout, cancellationToken);

    /// <summary>CPUs and memory of this node, as swarm schedules against them.</summary>
    public Task<Resources> NodeCapacityAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        CallAsync(async (_, engine, ct) =>
        {
            if (_nodeId is null)
            {
                using var info = JsonDocument.Parse((await engine.RequireAsync(HttpMethod.Get, "/info", ct).ConfigureAwait(false)).Body);
                var id = info.RootElement.TryGetProperty("Swarm", out var swarm) && swarm.TryGetProperty("NodeID", out var node) ? node.GetString() : null;
                _nodeId = id is not null && EngineId().IsMatch(id) ? id : throw new IOException($"{Host} is not a swarm node.");
            }

            using var inspected = JsonDocument.Parse((await engine.RequireAsync(HttpMethod.Get, $"/nodes/{_nodeId}", ct).ConfigureAwait(false)).Body);
            var resources = inspected.RootElement.GetProperty("Description").GetProperty("Resources");
            return new Resources(resources.GetProperty("NanoCPUs").GetInt64(), resources.GetProperty("MemoryBytes").GetInt64());
        }, timeout, cancellationToken);

    /// <summary>
    /// Tasks of <paramref name="service"/> running now, on any node (desired and current state
    /// running, as <c>docker service ps</c> shows them). Over a read connection.
    /// </summary>
    public Task<int> RunningTasksAsync(string service, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        return ReadAsync(async ct =>
        {
            var inspected = JsonSerializer.Deserialize((await _reads.RequireAsync(HttpMethod.Get, $"/services/{service}", ct).ConfigureAwait(false)).Body,
                SwarmJsonContext.Default.ServiceInspect);
            // The engine also finds services by ID prefix: count only the one named.
            if (inspected?.Spec?.Name != service || inspected.ID is not { } id || !EngineId().IsMatch(id))
            {
                throw new EngineApiException(Host, $"GET /services/{service}", NoSuchService);
            }

            var filters = Filters(("service", id), ("desired-state", "running"));
            var tasks = JsonSerializer.Deserialize((await _reads.RequireAsync(HttpMethod.Get, $"/tasks?filters={filters}", ct).ConfigureAwait(false)).Body,
                SwarmJsonContext.Default.ListEngineTask) ?? [];
            return tasks.Count(t => t.ServiceID == id && t.DesiredState == "running" && t.Status?.State == "running");
        }, timeout, cancellationToken);
    }

    /// <summary>
    /// Polls <see cref="RunningTasksAsync"/> every <paramref name="pollInterval"/> until exactly
    /// <paramref name="replicas"/> run, or <paramref name="timeout"/>; returns the count seen last.
    /// How the Scaler follows a scale to convergence.
    /// </summary>
    public async Task<int> WaitForRunningAsync(string service, int replicas, TimeSpan timeout, TimeSpan pollInterval, TimeSpan callTimeout,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var running = await RunningTasksAsync(service, callTimeout, cancellationToken).ConfigureAwait(false);
            if (running == replicas || time.GetUtcNow() >= deadline)
            {
                return running;
            }

            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One <c>docker stats</c> sample of each running container of <paramref name="services"/> on
    /// this node, with whether it is still starting (<see cref="IsStarting"/>). Each
    /// sample takes the engine about a second (it waits for a second reading for the CPU figure):
    /// they run side by side over the read connections. A container gone meanwhile is left out,
    /// as <c>docker stats</c> leaves it out.
    /// </summary>
    public Task<IReadOnlyList<ContainerStats>> ContainerStatsAsync(IReadOnlyCollection<string> services, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var wanted = services.Select(SwarmNames.RequireServiceName).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ContainerStats>>([]);
        }

        return ReadAsync<IReadOnlyList<ContainerStats>>(async ct =>
        {
            // Running containers only (the engine's default), as docker stats samples.
            var filters = Filters(("label", wanted.Count == 1 ? $"{ServiceLabel}={wanted.Single()}" : ServiceLabel));
            var listed = JsonSerializer.Deserialize((await _reads.RequireAsync(HttpMethod.Get, $"/containers/json?filters={filters}", ct).ConfigureAwait(false)).Body,
                SwarmJsonContext.Default.ListContainerSummary) ?? [];
            var sampled = await Task.WhenAll(listed
                .Select(c => (Container: c, Service: c.Labels?.GetValueOrDefault(ServiceLabel)))
                .Where(c => c.Service is not null && wanted.Contains(c.Service) && c.Container.Id is { } id && EngineId().IsMatch(id))
                .Select(c => SampleAsync(c.Container, c.Service!, ct))).ConfigureAwait(false);
            return [.. sampled.OfType<ContainerStats>()];
        }, timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _calls.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _calls.Release();
        }

        _calls.Dispose();
        _reads.Dispose();
    }

    private async Task<T> CallAsync<T>(Func<LeaseGate, EngineHttp, CancellationToken, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _calls.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                // The process ends with its connection: when the client closed it (a broken answer),
                // or the channel or the SSH connection ended.
                if (_gate is not { IsUsable: true } || _process is not { HasExited: false } || _engine is null)
                {
                    await CloseAsync().ConfigureAwait(false);
                    _gate = await LeaseGate.StartAsync(_host, _leaseDirectory, cancellationToken: cts.Token).ConfigureAwait(false);
                    _process = await _gate.StartFencedAsync(DialStdio.Program, DialStdio.Arguments, cts.Token).ConfigureAwait(false);
                    _engine = EngineHttp.OverProcess(_process);
                    Opened++;
                }

                return await call(_gate, _engine, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not EngineApiException)
            {
                // Out of step, timed out or disconnected: start afresh next time.
                await CloseAsync().ConfigureAwait(false);
                if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"The docker engine on {Host} did not answer within {timeout.TotalSeconds:0.###} s.", ex);
                }

                throw;
            }
        }
        finally
        {
            _calls.Release();
        }
    }

    private async Task CloseAsync()
    {
        var (gate, process, engine) = (_gate, _process, _engine);
        (_gate, _process, _engine) = (null, null, null);
        // The process first, awaited: the client's connection over it then finds it ended.
        await Task.WhenAll(gate?.DisposeAsync().AsTask() ?? Task.CompletedTask, process?.DisposeAsync().AsTask() ?? Task.CompletedTask).ConfigureAwait(false);
        engine?.Dispose();
    }

    /// <summary>A read over the read connections, with the same timeout as the fenced calls; nothing to close on failure (the client drops a broken connection).</summary>
    private async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await read(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The docker engine on {Host} did not answer within {timeout.TotalSeconds:0.###} s.", ex);
        }
    }

    // The docker CLI's own way of reaching a remote engine: stdin and stdout become a connection to it.
    private (string Program, IReadOnlyList<string> Arguments) DialStdio => (_docker[0], [.. _docker.Skip(1), "system", "dial-stdio"]);

    private async ValueTask<Stream> OpenReadConnectionAsync(CancellationToken cancellationToken) =>
        new RemoteProcessStream(await _host.StartAsync(DialStdio.Program, DialStdio.Arguments, cancellationToken).ConfigureAwait(false));

    /// <summary>One container's sample; null when it is gone.</summary>
    private async Task<ContainerStats?> SampleAsync(ContainerSummary container, string service, CancellationToken cancellationToken)
    {
        var request = $"/containers/{container.Id}/stats?stream=false";
        var answer = await _reads.SendAsync(HttpMethod.Get, request, null, cancellationToken).ConfigureAwait(false);
        if (answer.Status == 404)
        {
            return null;
        }

        var stats = answer.Succeeded
            ? JsonSerializer.Deserialize(answer.Body, SwarmJsonContext.Default.StatsAnswer) ?? throw new IOException($"Engine on {Host} answered GET {request} with null.")
            : throw new EngineApiException(Host, "GET " + request, answer);
        var (now, before, memory) = (stats.CpuStats, stats.PreCpuStats, stats.MemoryStats);
        var cpu = EngineStats.CpuPercent(now?.CpuUsage?.TotalUsage ?? 0, before?.CpuUsage?.TotalUsage ?? 0, now?.SystemCpuUsage ?? 0,
            before?.SystemCpuUsage ?? 0, now?.OnlineCpus ?? 0, now?.CpuUsage?.PercpuUsage?.Count ?? 0);
        return new ContainerStats(container.Id, service, cpu, EngineStats.MemoryUsed(memory?.Usage ?? 0, memory?.Stats),
            (long)(memory?.Limit ?? 0), IsStarting(container.Status));
    }

    /// <summary>
    /// The Engine API's container list gives a container's health only in its status text, as
    /// <c>docker ps</c> prints it, "Up 4 seconds (health: starting)": starting until the first check passes.
    /// </summary>
    public static bool IsStarting(string? status) =>
        status is not null && status.Contains("(health: starting)", StringComparison.Ordinal);

    /// <summary>An Engine API <c>filters</c> query value: each filter with one value, as JSON, escaped.</summary>
    private static string Filters(params ReadOnlySpan<(string Name, string Value)> filters)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in filters)
            {
                writer.WriteStartArray(name);
                writer.WriteStringValue(value);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Uri.EscapeDataString(Encoding.UTF8.GetString(json.ToArray()));
    }

    /// <summary>The service's spec as the engine has it, with only the replica count changed; null or the refusal.</summary>
    private async Task<EngineApiException?> UpdateReplicasAsync(EngineHttp engine, string service, int replicas, EngineResponse answer,
        CancellationToken cancellationToken)
    {
        var inspect = $"GET /services/{service}";
        if (!answer.Succeeded)
        {
            return new EngineApiException(Host, inspect, answer);
        }

        var root = JsonNode.Parse(answer.Body)?.AsObject() ?? throw new IOException($"Engine on {Host} answered {inspect} with null.");
        var id = root["ID"]?.GetValue<string>();
        var spec = root["Spec"]?.AsObject();
        var version = root["Version"]?["Index"]?.GetValue<ulong>();
        // The engine also finds services by ID prefix: act only on the one named.
        if (id is null || !EngineId().IsMatch(id) || spec?["Name"]?.GetValue<string>() != service || version is null)
        {
            return new EngineApiException(Host, inspect, NoSuchService);
        }

        if (spec["Mode"]?["Replicated"] is not JsonObject replicated)
        {
            return new EngineApiException(Host, inspect, new EngineResponse(400, "{\"message\":\"not a replicated service\"}"u8.ToArray()));
        }

        replicated["Replicas"] = JsonValue.Create((ulong)replicas);
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            spec.WriteTo(writer);
        }

        // The version makes this a compare-and-set: a spec changed since the read is not overwritten.
        var update = $"/services/{id}/update?version={version.Value.ToString(CultureInfo.InvariantCulture)}";
        var updated = await engine.SendAsync(HttpMethod.Post, update, body.ToArray(), cancellationToken).ConfigureAwait(false);
        return updated.Succeeded ? null : new EngineApiException(Host, "POST " + update, updated);
    }

    private static SwarmService ToService(ServiceInspect s)
    {
        var resources = s.Spec.TaskTemplate?.Resources;
        return new SwarmService(s.ID, s.Spec.Name, s.Spec.TaskTemplate?.ContainerSpec?.Image ?? "",
            s.Spec.Mode?.Replicated?.Replicas,
            resources?.Limits is { } l ? new Resources(l.NanoCPUs, l.MemoryBytes) : Resources.None,
            resources?.Reservations is { } r ? new Resources(r.NanoCPUs, r.MemoryBytes) : Resources.None);
    }

    private static EngineResponse NoSuchService => new(404, "{\"message\":\"no service of that exact name\"}"u8.ToArray());

    [GeneratedRegex("^[a-z0-9]{1,64}$")]
    private static partial Regex EngineId();
}
