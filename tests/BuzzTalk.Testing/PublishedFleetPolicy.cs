using System.Text.Json.Nodes;

namespace BuzzTalk.Testing;

/// <summary>
/// What a publish bundle's Terraform tells the cloud about its group: the load balancer's (and
/// autohealing's) health check and the template roll's surge and unavailable counts. The local
/// fleet's balancer and roll simulation read them from the bundle, so they run what is published.
/// </summary>
public sealed record PublishedFleetPolicy(string HealthPath, TimeSpan CheckInterval, int UnhealthyThreshold, int HealthyThreshold,
    int MaxSurge, int MaxUnavailable)
{
    private const string GroupType = "google_compute_region_instance_group_manager";
    private const string HealthCheckType = "google_compute_health_check";

    /// <summary>Reads the policy from <c>terraform/*.tf.json</c> under the bundle directory.</summary>
    public static PublishedFleetPolicy Read(string bundleDirectory)
    {
        var resources = Directory.GetFiles(Path.Combine(bundleDirectory, "terraform"), "*.tf.json")
            .Select(f => JsonNode.Parse(File.ReadAllText(f))?["resource"])
            .OfType<JsonObject>()
            .ToList();
        var check = Single(resources, HealthCheckType);
        var group = Single(resources, GroupType);
        var http = Block(check, "http_health_check");
        var update = Block(group, "update_policy");
        return new PublishedFleetPolicy(
            http["request_path"]!.GetValue<string>(),
            TimeSpan.FromSeconds(check["check_interval_sec"]!.GetValue<int>()),
            check["unhealthy_threshold"]!.GetValue<int>(),
            check["healthy_threshold"]!.GetValue<int>(),
            update["max_surge_fixed"]!.GetValue<int>(),
            update["max_unavailable_fixed"]!.GetValue<int>());
    }

    private static JsonObject Single(List<JsonObject> resources, string type) =>
        resources.Select(r => r[type]).OfType<JsonObject>().SelectMany(byName => byName.Select(p => p.Value)).OfType<JsonObject>().SingleOrDefault()
        ?? throw new InvalidDataException($"The bundle's Terraform declares no single {type}.");

    // Terraform JSON writes a nested block as an array of one object.
    private static JsonObject Block(JsonObject parent, string key) =>
        parent[key] is JsonArray { Count: 1 } array && array[0] is JsonObject block
            ? block
            : throw new InvalidDataException($"The bundle's Terraform has no single {key} block.");
}
