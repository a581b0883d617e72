namespace BuzzTalk.Fleet.Ssh;

/// <summary>What a remote command printed and how it exited.</summary>
public sealed record RemoteResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}
