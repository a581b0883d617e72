namespace BuzzTalk.Fleet.Ssh;

/// <summary>Runs a program with arguments on one host; each argument arrives as one literal word.</summary>
public interface IRemoteRunner
{
    string Host { get; }

    Task<RemoteResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
