using System.Text;
using System.Text.Json.Nodes;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>The reference payloads (exact sender bytes) and variants with the Scaler's labels added.</summary>
public static class Payloads
{
    public static byte[] GrafanaWire => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Webhooks", "Reference", "webhook-firing-multi-expr.wire.json"));

    public static byte[] AlertmanagerWire => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Webhooks", "Reference", "webhook-v4.wire.json"));

    public static byte[] AlertmanagerPre032Wire => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Webhooks", "Reference", "webhook-v4.pre-0.32.wire.json"));

    /// <summary>The reference payload with host and service labels on every alert.</summary>
    public static JsonNode WithTargets(byte[] wire, string host = "34.123.45.67", string service = "backend")
    {
        var root = JsonNode.Parse(wire)!;
        foreach (var alert in root["alerts"]!.AsArray())
        {
            alert!["labels"]!["public_ip"] = host;
            alert["labels"]!["container_label_com_docker_swarm_service_name"] = service;
        }

        return root;
    }

    /// <summary>The Grafana payload as the seed's scaling rule fills it.</summary>
    public static JsonNode SeedRule(int target, int active, int trigger, string scaling)
    {
        var root = WithTargets(GrafanaWire);
        var firing = root["alerts"]![0]!;
        firing["values"] = new JsonObject
        {
            ["app_new_containers_number"] = target,
            ["app_active_containers"] = active,
            ["scale_trigger"] = trigger,
        };
        firing["labels"]!["scaling"] = scaling;
        firing["labels"]!["scalecontainer"] = "true";
        return root;
    }

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
