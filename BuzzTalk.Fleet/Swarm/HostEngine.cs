using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// One host's Docker Engine API over a kept-open <c>docker system dial-stdio</c> process, fenced
/// by the host's <see cref="LeaseGate"/>: a scale is the lease check, two API calls and the
/// unlock on open channels (a few milliseconds) instead of an SSH exec of a shell and a docker
/// CLI start. Calls on one host run one at a time; the gate and the fenced process are opened on
/// first use and opened again, both, after any failure (then the gate's fence keeps the lease
/// lock until whatever was sent has reached the engine). HTTP runs over the fenced process as
/// its one connection (<see cref="EngineHttp.OverProcess"/>), never over another.
/// </summary>
public sealed partial class HostEngine(SshHostSession host, string leaseDirectory = DeployLease.DefaultDirectory, IReadOnlyList<string>? docker = null)
    : IAsyncDisposable
{
    private readonly IReadOnlyList<string> _docker = docker is { Count: > 0 } ? docker : ["docker"];
    private readonly SemaphoreSlim _calls = new(1, 1);
    private LeaseGate? _gate;
    private RemoteProcess? _process;
    private EngineHttp? _engine;
    private string? _nodeId;

    public string Host => host.Host;

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
            // it runs on the engine channel while the gate takes the lock on its own.
            var inspecting = engine.SendAsync(HttpMethod.Get, $"/services/{service}", null, ct);
            var locking = gate.LockIfFreeAsync(ct);
            // Whichever fails, CallAsync closes both channels; when locked, the fence keeps the
            // lock until the engine channel's process has ended.
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
            return [.. inspected.Select(SwarmClient.ToService).OrderBy(s => s.Name, StringComparer.Ordinal)];
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
                    _gate = await LeaseGate.StartAsync(host, leaseDirectory, cancellationToken: cts.Token).ConfigureAwait(false);
                    _process = await _gate.StartFencedAsync(_docker[0], [.. _docker.Skip(1), "system", "dial-stdio"], cts.Token).ConfigureAwait(false);
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
        engine?.Dispose();
        await Task.WhenAll(gate?.DisposeAsync().AsTask() ?? Task.CompletedTask, process?.DisposeAsync().AsTask() ?? Task.CompletedTask).ConfigureAwait(false);
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
            return new EngineApiException(Host, inspect, new EngineResponse(404, "{\"message\":\"no service of that exact name\"}"u8.ToArray()));
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

    [GeneratedRegex("^[a-z0-9]{1,64}$")]
    private static partial Regex EngineId();
}
