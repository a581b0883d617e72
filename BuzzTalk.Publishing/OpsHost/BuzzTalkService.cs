namespace BuzzTalk.Publishing.OpsHost;

/// <summary>One BuzzTalk service on the ops host: unit and binary name, loopback port.</summary>
internal sealed record BuzzTalkService(string Name, string Description, int Port, bool WritesFileSd)
{
    /// <summary>Settings that are facts of the published model (no secrets), as <c>Environment=</c> lines.</summary>
    public IReadOnlyList<(string Key, string Value)> Settings { get; init; } = [];
}
