namespace BuzzTalk.Deployer.Rollout;

/// <summary>A step of a rollout failed; the instance is rolled back.</summary>
public sealed class RolloutFailedException(string message) : Exception(message);
