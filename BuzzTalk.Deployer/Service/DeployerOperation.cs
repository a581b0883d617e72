using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Service;

/// <summary>One running or finished operation of the service, with its progress lines.</summary>
public sealed class DeployerOperation(string id, string kind, DateTimeOffset started)
{
    private readonly List<string> _progress = [];

    public string Id => id;

    public Task<FleetReport>? Work { get; set; }

    public void Report(string line)
    {
        lock (_progress)
        {
            _progress.Add(line);
        }
    }

    public OperationView View()
    {
        lock (_progress)
        {
            var state = Work is null || !Work.IsCompleted ? "running"
                : Work.IsCompletedSuccessfully ? (Work.Result.Succeeded ? "succeeded" : "failed") : "failed";
            return new OperationView(id, kind, state, started, [.. _progress],
                Work is { IsCompletedSuccessfully: true } done ? done.Result : null,
                Work is { IsFaulted: true } faulted ? faulted.Exception.GetBaseException().Message : null);
        }
    }
}
