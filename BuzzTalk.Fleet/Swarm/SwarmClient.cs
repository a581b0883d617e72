using System.Text.Json;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// Docker Swarm operations on one host through the docker CLI, over an <see cref="IRemoteRunner"/>:
/// the Deployer's way to a swarm, since <c>docker stack deploy</c> exists only in the CLI, and so
/// every other Deployer call too, over the same session under the same lease (the Scaler uses the
/// Engine API, <see cref="HostEngine"/>; the README's Layout says why). Every value put in a
/// command is validated first and passed as its own argument; docker's output is read as JSON, or
/// as the bare ids <c>-q</c> prints, never as its tables or status text.
/// </summary>
public sealed class SwarmClient(IRemoteRunner host, IReadOnlyList<string>? docker = null)
{
    private const string TaskIdLabel = "com.docker.swarm.task.id";

    private readonly IReadOnlyList<string> _docker = docker is { Count: > 0 } ? docker : ["docker"];

    public string Host => host.Host;

    public async Task<IReadOnlyList<SwarmTask>> TasksAsync(string service, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        var output = (await DockerAsync(["service", "ps", "--no-trunc", "--format", "{{json .}}", service], cancellationToken).ConfigureAwait(false)).Output;
        return [.. Lines(output).Select(line => JsonSerializer.Deserialize(line, SwarmJsonContext.Default.TaskLine)!)
            .Select(t => new SwarmTask(t.ID, t.Name, t.DesiredState, t.CurrentState, t.Error ?? ""))];
    }

    /// <summary>
    /// The container health of each of the service's running containers on this node, by task id,
    /// as <c>docker container inspect</c> gives it (<c>State.Health.Status</c>): <c>healthy</c>,
    /// <c>starting</c>, <c>unhealthy</c>, or <c>none</c> without a health check.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> TaskHealthAsync(string service, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        var ids = Lines((await DockerAsync(["ps", "-q", "--no-trunc", "--filter", $"label=com.docker.swarm.service.name={service}"], cancellationToken)
            .ConfigureAwait(false)).Output);
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var result = await host.RunAsync(_docker[0], [.. _docker.Skip(1), "container", "inspect", .. ids.Select(SwarmNames.RequireContainerId)],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        // A container gone since the list is left out: inspect still prints the others, then fails.
        if (!result.Succeeded && !result.Error.Contains("no such container", StringComparison.OrdinalIgnoreCase))
        {
            throw new SwarmCommandException(host.Host, result);
        }

        var inspected = result.Output.Trim().Length == 0 ? []
            : JsonSerializer.Deserialize(result.Output, SwarmJsonContext.Default.ListContainerInspect) ?? [];
        var health = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var container in inspected)
        {
            if (container.Config?.Labels?.GetValueOrDefault(TaskIdLabel) is { Length: > 0 } task)
            {
                health[task] = container.State?.Health?.Status is { Length: > 0 } status ? status : "none";
            }
        }

        return health;
    }

    /// <summary>The services of a stack, by full name (<c>stack_service</c>).</summary>
    public async Task<IReadOnlyList<ServiceRollout>> StackServicesAsync(string stack, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireStackName(stack);
        var ids = Lines((await DockerAsync(["service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}"], cancellationToken).ConfigureAwait(false)).Output);
        if (ids.Count == 0)
        {
            return [];
        }

        var inspected = JsonSerializer.Deserialize((await DockerAsync(["service", "inspect", .. ids], cancellationToken).ConfigureAwait(false)).Output,
            SwarmJsonContext.Default.ListServiceInspect) ?? [];
        return [.. inspected.Select(ToRollout).OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>One service's rollout state; null when it does not exist.</summary>
    public async Task<ServiceRollout?> InspectRolloutAsync(string service, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        var result = await host.RunAsync(_docker[0], [.. _docker.Skip(1), "service", "inspect", service], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result.Error.Contains("no such service", StringComparison.OrdinalIgnoreCase) ? null : throw new SwarmCommandException(host.Host, result);
        }

        var inspected = JsonSerializer.Deserialize(result.Output, SwarmJsonContext.Default.ListServiceInspect) ?? [];
        if (inspected.Count != 1)
        {
            return null;
        }

        // Any real difference in the task spec makes swarm replace tasks. A service created by one
        // stack deploy and re-sent by the next differs only by defaults the update fills in
        // (StopGracePeriod 10 s, an empty DNSConfig), which start no update: those are ignored.
        using var raw = JsonDocument.Parse(result.Output);
        var inspectedService = raw.RootElement[0];
        var changed = inspectedService.TryGetProperty("PreviousSpec", out var previous)
            && previous.TryGetProperty("TaskTemplate", out var before)
            && inspectedService.GetProperty("Spec").TryGetProperty("TaskTemplate", out var after)
            && Normalized(before) != Normalized(after);
        return ToRollout(inspected[0]) with { TaskSpecChanged = changed };
    }

    /// <summary>A task template as text without empty values and without the defaults swarm fills in on update.</summary>
    public static string Normalized(JsonElement template)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(template.GetRawText());
        if (node?["ContainerSpec"] is System.Text.Json.Nodes.JsonObject container
            && container["StopGracePeriod"] is System.Text.Json.Nodes.JsonValue grace && grace.TryGetValue<long>(out var nanoseconds)
            && nanoseconds == DefaultStopGracePeriodNanoseconds)
        {
            container.Remove("StopGracePeriod");
        }

        Prune(node);
        return node?.ToJsonString() ?? "";
    }

    private const long DefaultStopGracePeriodNanoseconds = 10_000_000_000;

    /// <summary>Removes null, empty-object and empty-array members, depth first; true when the node itself is empty.</summary>
    private static bool Prune(System.Text.Json.Nodes.JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case System.Text.Json.Nodes.JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (Prune(obj[key]))
                    {
                        obj.Remove(key);
                    }
                }

                return obj.Count == 0;
            case System.Text.Json.Nodes.JsonArray array:
                foreach (var item in array)
                {
                    Prune(item);
                }

                return array.Count == 0;
            default:
                return false;
        }
    }

    /// <summary>
    /// <c>docker stack deploy</c> of a stack file already on the host, with variables for its
    /// <c>${...}</c> interpolation passed through <c>env</c> (each one argument, never shell text).
    /// </summary>
    public async Task StackDeployAsync(string stackFile, string stack, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireRemotePath(stackFile);
        SwarmNames.RequireStackName(stack);
        var variables = environment.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{SwarmNames.RequireEnvironmentName(kv.Key)}={kv.Value}").ToList();
        var result = await host.RunAsync("env", [.. variables, .. _docker, "stack", "deploy", "--with-registry-auth", "-c", stackFile, stack],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new SwarmCommandException(host.Host, result);
        }
    }

    /// <summary><c>docker service update --image</c>, detached: the update config of the service applies.</summary>
    public async Task UpdateImageAsync(string service, string image, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        SwarmNames.RequireImage(image);
        await DockerAsync(["service", "update", "--detach", "--with-registry-auth", "--image", image, service], cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>docker service rollback</c> to the previous spec, detached.</summary>
    public async Task RollbackAsync(string service, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        await DockerAsync(["service", "rollback", "--detach", service], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The id of a running container of the service on this node; null when none runs.</summary>
    public async Task<string?> RunningContainerAsync(string service, CancellationToken cancellationToken = default)
    {
        SwarmNames.RequireServiceName(service);
        var output = (await DockerAsync(["ps", "-q", "--no-trunc", "--filter", $"label=com.docker.swarm.service.name={service}",
            "--filter", "status=running"], cancellationToken).ConfigureAwait(false)).Output;
        return Lines(output).FirstOrDefault();
    }

    /// <summary><c>docker exec</c> of one command (each argument passed as is); the result, failed or not.</summary>
    public Task<RemoteResult> ExecAsync(string container, IReadOnlyList<string> command, CancellationToken cancellationToken = default) =>
        host.RunAsync(_docker[0], [.. _docker.Skip(1), "exec", SwarmNames.RequireContainerId(container), .. command], cancellationToken: cancellationToken);

    /// <summary><c>docker kill --signal</c>: e.g. HUP makes nginx reload its config.</summary>
    public async Task SignalAsync(string container, string signal, CancellationToken cancellationToken = default)
    {
        if (signal is not ("HUP" or "USR1" or "QUIT"))
        {
            throw new ArgumentException($"Signal '{signal}' is not one this client sends.", nameof(signal));
        }

        await DockerAsync(["kill", "--signal", signal, SwarmNames.RequireContainerId(container)], cancellationToken).ConfigureAwait(false);
    }

    private async Task<RemoteResult> DockerAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(_docker[0], [.. _docker.Skip(1), .. arguments], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new SwarmCommandException(host.Host, result);
        }

        return result;
    }

    private static ServiceRollout ToRollout(ServiceInspect s) =>
        new(s.Spec.Name, s.Spec.TaskTemplate?.ContainerSpec?.Image ?? "", s.Version?.Index ?? 0, s.UpdateStatus?.State, s.UpdateStatus?.Message,
            s.Spec.Mode?.Replicated?.Replicas, s.Spec.Mode?.Global is not null, s.PreviousSpec is not null)
        {
            UpdateStartedAt = s.UpdateStatus?.StartedAt,
        };

    private static List<string> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
