using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace BuzzTalk.AppHost.Tests;

/// <summary>The backend's message API, called through nginx (<c>/backend/</c>) or a replica directly.</summary>
public static class ChatApi
{
    public static async Task<JsonElement> PostAsync(HttpClient http, string prefix, string room, string author, string text, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"{prefix}/api/rooms/{room}/messages", new { author, text }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    public static async Task<IReadOnlyList<string>> TextsAsync(HttpClient http, string prefix, string room, CancellationToken cancellationToken)
    {
        var body = await http.GetFromJsonAsync<JsonElement>($"{prefix}/api/rooms/{room}/messages", cancellationToken);
        return [.. body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];
    }

    /// <summary>A room name no earlier test or run used.</summary>
    public static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..12];
}
