namespace BuzzTalk.Demo;

/// <summary>What the demo saw, written as JSON for tests and printed as tables for people.</summary>
public sealed class DemoSummary
{
    public DateTimeOffset Started { get; init; }

    public double WallSeconds { get; set; }

    /// <summary>The backend's replicas each time they changed, seconds from the start.</summary>
    public List<ReplicaSample> Replicas { get; } = [];

    public List<DeployResult> Deploys { get; } = [];

    public List<DecisionView> Decisions { get; } = [];

    /// <summary>From the load's start until a second backend replica ran.</summary>
    public double? OverloadToReplicaSeconds { get; set; }

    /// <summary>From the load's end until the backend was back at one replica.</summary>
    public double? ScaleDownSeconds { get; set; }

    public int PeakReplicas { get; set; }

    /// <summary>Requests sent and failed outside the deploys (while waiting for the scale-up).</summary>
    public long LoadSent { get; set; }

    public long LoadFailed { get; set; }

    /// <summary>Prometheus' active targets for the instance, from Discovery's http_sd.</summary>
    public List<TargetSample> Targets { get; } = [];

    /// <summary>Whether the lease was free after the broken deploy was rolled back.</summary>
    public bool? LeaseReleasedAfterRollback { get; set; }

    /// <summary>Whether a scaling alert reached the Scaler through Alertmanager during the run.</summary>
    public bool AlertReachedScaler { get; set; }

    /// <summary>Everything that did not go as the scenario expects; empty = passed.</summary>
    public List<string> Problems { get; } = [];

    public bool Passed => Problems.Count == 0;
}

public sealed record ReplicaSample(double AtSeconds, int? Desired, int Running, string Image);

public sealed record DeployResult(string Name, string Tag, string Outcome, double Seconds, long Sent, long Failed, string Message);

public sealed record TargetSample(string Job, string Instance, string Address, string Health, string? InstanceName);
