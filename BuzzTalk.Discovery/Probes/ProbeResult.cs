namespace BuzzTalk.Discovery.Probes;

/// <summary>Outcome of one probe: up, or down with a short reason safe to show (no credentials).</summary>
public sealed record ProbeResult(bool Up, string Reason)
{
    public static ProbeResult Ok { get; } = new(true, "ok");

    public static ProbeResult Down(string reason) => new(false, reason);
}
