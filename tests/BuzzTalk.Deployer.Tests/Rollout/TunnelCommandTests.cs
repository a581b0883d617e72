using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary><c>tunnel</c>: a local port forwarded over real SSH to a server only the SSH host reaches.</summary>
public sealed partial class TunnelCommandTests
{
    [Fact]
    public async Task The_tunnel_command_forwards_a_local_port_until_stopped()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        using var banner = new TcpListener(IPAddress.Loopback, 0);
        banner.Start();
        var target = ((IPEndPoint)banner.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            // Like MySQL: the server speaks first.
            using var client = await banner.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("hello from the database\n"));
        });

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stop = new CancellationTokenSource();
        var command = DeployerCli.RunAsync(["tunnel", "--config", world.Settings(), "--host", "127.0.0.1", "--ssh-port", world.Ssh.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--remote-port", target.ToString(System.Globalization.CultureInfo.InvariantCulture)], stdout, stderr, stop.Token);

        int local;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            Match match;
            while (!(match = Announced().Match(stdout.ToString())).Success)
            {
                Assert.False(command.IsCompleted, $"tunnel ended early: {stderr}");
                await Task.Delay(100, deadline.Token);
            }

            local = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.NotEqual(target, local);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, local);
            using var reader = new StreamReader(client.GetStream());
            Assert.Equal("hello from the database", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        Assert.Equal(DeployerCli.Success, await command.WaitAsync(TimeSpan.FromSeconds(30)));
        using var after = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => after.ConnectAsync(IPAddress.Loopback, local));
    }

    [GeneratedRegex(@"tunnel 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex Announced();
}
