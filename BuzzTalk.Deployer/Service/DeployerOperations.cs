using System.Collections.Concurrent;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Service;

/// <summary>The service's operations: at most one runs at a time; finished ones stay readable.</summary>
public sealed class DeployerOperations(IHostApplicationLifetime lifetime, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, DeployerOperation> _operations = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private DeployerOperation? _running;

    /// <summary>Starts the work in the background, or returns null while another operation runs.</summary>
    public DeployerOperation? TryStart(string kind, DeployerOptions options,
        Func<FleetRollout, IReadOnlyList<DeployTarget>, CancellationToken, Task<FleetReport>> work)
    {
        lock (_gate)
        {
            if (_running?.Work is { IsCompleted: false })
            {
                return null;
            }

            var operation = new DeployerOperation(Guid.NewGuid().ToString("N")[..12], kind, (time ?? TimeProvider.System).GetUtcNow());
            var fleet = new FleetRollout(options, (target, step) => operation.Report($"[{target.Name}] {step}"), time);
            var stopping = lifetime.ApplicationStopping;
            operation.Work = Task.Run(async () =>
            {
                var targets = await InventoryResolver.ResolveAsync(options, [], stopping).ConfigureAwait(false);
                return await work(fleet, targets, stopping).ConfigureAwait(false);
            }, stopping);
            _operations[operation.Id] = operation;
            _running = operation;
            return operation;
        }
    }

    public DeployerOperation? Find(string id) => _operations.GetValueOrDefault(id);
}
