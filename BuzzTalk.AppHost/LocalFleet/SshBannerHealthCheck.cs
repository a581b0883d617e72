using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuzzTalk.AppHost.LocalFleet;

/// <summary>Healthy when the port answers with an SSH-2.0 identification line, as sshd does before any auth.</summary>
public sealed class SshBannerHealthCheck(int port) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await client.GetStream().ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            var banner = Encoding.ASCII.GetString(buffer, 0, read);
            return banner.StartsWith("SSH-2.0-", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy(banner.TrimEnd())
                : HealthCheckResult.Unhealthy("the port does not speak SSH-2.0");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
