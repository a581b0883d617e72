using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Tests.Webhooks;

namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// Seed-rule Grafana alerts for one (host, service) posted to a running Scaler with basic auth,
/// and the per-alert outcomes read back: what the execution tests send and check.
/// </summary>
public sealed class GrafanaAlerts(HttpClient http, string user, string password)
{
    public static byte[] SeedAlert(string service, int target, int active, string host = "127.0.0.1")
    {
        var root = Payloads.SeedRule(target, active, 1, target > active ? "up" : "down");
        foreach (var alert in root["alerts"]!.AsArray())
        {
            alert!["labels"]!["public_ip"] = host;
            alert["labels"]!["container_label_com_docker_swarm_service_name"] = service;
        }

        return Payloads.Bytes(root);
    }

    public async Task<HttpResponseMessage> PostAsync(byte[] body, string? asUser = null, string? withPassword = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/grafana") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{asUser ?? user}:{withPassword ?? password}")));
        return await http.SendAsync(request);
    }

    public static async Task<List<JsonNode>> OutcomesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. body["outcomes"]!.AsArray().Select(o => o!)];
    }
}
