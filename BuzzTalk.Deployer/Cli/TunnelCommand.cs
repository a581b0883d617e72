using System.CommandLine;
using System.Globalization;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>tunnel</c>: keeps an SSH local port forward to a private database open, reconnecting as needed.</summary>
public sealed class TunnelCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var host = new Option<string>("--host") { Description = "SSH host of the database.", Required = true };
        var sshPort = new Option<int>("--ssh-port") { Description = "SSH port (default: Deployer:Ssh:Port).", DefaultValueFactory = _ => 0 };
        var remoteHost = new Option<string>("--remote-host") { Description = "Database host as the SSH server sees it.", DefaultValueFactory = _ => "127.0.0.1" };
        var remotePort = new Option<int>("--remote-port") { Description = "Database port on the far side.", DefaultValueFactory = _ => 3306 };
        var localPort = new Option<int>("--local-port") { Description = "Local port on 127.0.0.1 (0 = any free one).", DefaultValueFactory = _ => 0 };
        var command = new Command("tunnel", "Keep an SSH local port forward to a private database open, reconnecting as needed.")
        {
            host, sshPort, remoteHost, remotePort, localPort,
        };
        command.SetAction((result, ct) => new TunnelCommand(globals.ContextFor(result)).RunAsync(result.GetValue(host)!, result.GetValue(sshPort),
            result.GetValue(remoteHost)!, result.GetValue(remotePort), result.GetValue(localPort), ct));
        return command;
    }

    public async Task<int> RunAsync(string host, int sshPort, string remoteHost, int remotePort, int localPort, CancellationToken cancellationToken)
    {
        if (context.LoadOptions() is not { } options)
        {
            return DeployerCli.BadInput;
        }

        var ssh = new SshHostOptions
        {
            User = options.Ssh.User,
            PrivateKeyFile = options.Ssh.PrivateKeyFile,
            KnownHostsFile = options.Ssh.KnownHostsFile,
            Port = sshPort > 0 ? sshPort : options.Ssh.Port,
            ConnectTimeout = options.Ssh.ConnectTimeout,
        };
        SshTunnel tunnel;
        try
        {
            var tunnelOptions = new SshTunnelOptions { RemoteHost = remoteHost, RemotePort = remotePort, LocalPort = localPort };
            tunnelOptions.Validate();
            tunnel = new SshTunnel(host, ssh, tunnelOptions);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FileNotFoundException)
        {
            return context.Fail($"tunnel: {ex.Message}");
        }

        await using (tunnel.ConfigureAwait(false))
        {
            tunnel.StateChanged += (_, e) => context.Error.WriteLine($"tunnel {e.Previous} -> {e.Current}");
            try
            {
                await tunnel.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (SshFailure.IsUnreachable(ex) || ex is IOException)
            {
                context.Error.WriteLine($"error: tunnel to {host}: {FailureMessage.Of(ex)}");
                return DeployerCli.InstanceFailed;
            }

            // The one line a caller (the AppHost) reads to find the port.
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"tunnel 127.0.0.1:{tunnel.LocalPort} -> {remoteHost}:{remotePort} via {host}")).ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or the AppHost stopping the resource.
            }
        }

        return DeployerCli.Success;
    }
}
