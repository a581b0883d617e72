namespace BuzzTalk.Deployer.Rollout;

/// <summary>How an operation ended on one instance.</summary>
public enum InstanceOutcome
{
    /// <summary>The new release runs and answers its health check.</summary>
    Deployed,

    /// <summary>The release failed and the instance is back on what it ran before.</summary>
    RolledBack,

    /// <summary>A rollback that was asked for: the instance runs the release it ran before its last one.</summary>
    Reverted,

    /// <summary><c>lease release --force</c>: the instance's lease is gone (or none was held).</summary>
    LeaseReleased,

    /// <summary>The operation failed and could not be undone: look at the instance.</summary>
    Failed,

    /// <summary>SSH did not connect (or the host key was refused).</summary>
    Unreachable,

    /// <summary>Another holder kept the deploy lease: nothing was changed.</summary>
    LeaseBusy,

    /// <summary>Not attempted: the failure budget was spent first.</summary>
    Skipped,

    /// <summary>A read-only command (status, plan) answered.</summary>
    Inspected,

    /// <summary>
    /// The instance stopped answering and left the inventory during the operation (preempted or
    /// deleted): not a failure; a replacement boots into the desired release by itself.
    /// </summary>
    Gone,
}
