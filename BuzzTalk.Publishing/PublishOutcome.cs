namespace BuzzTalk.Publishing;

/// <summary>
/// Whether the bundle step finished. A direct <c>dotnet run ... --operation publish</c> exits 0
/// even when a pipeline step fails, so the AppHost reads this to choose its own exit code.
/// </summary>
public sealed class PublishOutcome
{
    public bool Completed { get; private set; }

    public string? Failure { get; private set; }

    public void Succeed() => Completed = true;

    public void Fail(string reason) => Failure = reason;
}
