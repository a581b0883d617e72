using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// One target group per instance, labelled with <see cref="InventoryLabels"/>. Without a port
/// the target is the bare public IP (the inventory the Scaler and Deployer read); with one, it
/// is <c>ip:port</c> for a scrape job.
/// </summary>
public static class TargetGroupBuilder
{
    public static List<TargetGroup> Build(IReadOnlyList<FleetInstance> instances, int? port = null) =>
        [.. instances
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => new TargetGroup([Target(i.PublicIp, port)], InventoryLabels.For(i)))];

    private static string Target(string ip, int? port)
    {
        if (port is null)
        {
            return ip;
        }

        var host = IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip;
        return $"{host}:{port.Value.ToString(CultureInfo.InvariantCulture)}";
    }
}
