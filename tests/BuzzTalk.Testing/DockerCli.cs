namespace BuzzTalk.Testing;

/// <summary>The docker CLI against the local dockerd (started by eng/start-dockerd.sh), for test setup.</summary>
public static class DockerCli
{
    /// <summary>Runs docker; throws with its output when it fails.</summary>
    public static async Task RunAsync(params string[] args)
    {
        var (exit, output) = await TryRunAsync(args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {exit}: {output} (is dockerd running? eng/start-dockerd.sh)");
        }
    }

    /// <summary>Runs docker and reports how it went (for clean-ups that may find nothing to remove).</summary>
    public static async Task<(int ExitCode, string Output)> TryRunAsync(params string[] args)
    {
        await using var docker = ServerProcess.Start("docker", Path.GetTempPath(), 0, args);
        var exit = await docker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, docker.Output);
    }

    /// <summary>
    /// Removes a stack and waits until its containers and network are gone: swarm removes the
    /// network after the tasks, and a deploy of the same stack before that fails.
    /// </summary>
    public static async Task RemoveStackAsync(string stack, TimeSpan timeout)
    {
        await TryRunAsync("stack", "rm", stack);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var (_, networks) = await TryRunAsync("network", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}");
            var (_, containers) = await TryRunAsync("ps", "-aq", "--filter", $"label=com.docker.stack.namespace={stack}");
            if (networks.Trim().Length == 0 && containers.Trim().Length == 0)
            {
                return;
            }

            await Task.Delay(250, deadline.Token);
        }
    }

    /// <summary>The gateway of swarm's docker_gwbridge: the address a task container reaches this host at.</summary>
    public static async Task<string> SwarmGatewayAsync()
    {
        var (exit, output) = await TryRunAsync("network", "inspect", "docker_gwbridge", "--format", "{{(index .IPAM.Config 0).Gateway}}");
        return exit == 0 && System.Net.IPAddress.TryParse(output.Trim(), out var gateway)
            ? gateway.ToString()
            : throw new InvalidOperationException($"docker_gwbridge has no gateway ({output.Trim()}); is this machine a swarm (eng/start-dockerd.sh)?");
    }
}
