using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BuzzTalk.AppHost.Tests.Publishing.Startup;

/// <summary>
/// The GCE metadata server, Cloud Storage JSON API and Secret Manager as far as the startup
/// scripts use them, on one loopback Kestrel. Like the real ones it refuses metadata requests
/// without <c>Metadata-Flavor: Google</c> and API requests without the bearer token, and it
/// records every request for the test to inspect.
/// </summary>
public sealed class FakeGcp : IAsyncDisposable
{
    public const string Token = "ya29.c.b0AXv0zTFAKE-EXAMPLE-TOKEN";
    public const string Project = "acme-prod";
    public const string PrivateIp = "10.0.0.5";

    private readonly WebServiceHost _host;

    private FakeGcp(WebServiceHost host) => _host = host;

    public sealed record Request(string Method, string RawTarget, string? MetadataFlavor, string? Authorization);

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Instance attributes by key; a missing key answers 404 like the real server.</summary>
    public ConcurrentDictionary<string, string> Attributes { get; } = new();

    /// <summary>Objects by "bucket/object name".</summary>
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new();

    /// <summary>Secret payloads by secret name (project <see cref="Project"/>).</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new();

    public ConcurrentDictionary<string, string> GuestAttributes { get; } = new();

    /// <summary>How many health checks answer 503 before the stack is "up".</summary>
    public int HealthFailures { get; set; }

    public string MetadataUrl => _host.Address + "computeMetadata/v1";

    public string StorageUrl => _host.Address + "storage/v1";

    public string SecretManagerUrl => _host.Address + "secretmanager/v1";

    public string HealthUrl => _host.Address + "healthz";

    public static async Task<FakeGcp> StartAsync()
    {
        FakeGcp? fake = null;
        var host = await WebServiceHost.StartAsync(
            new Dictionary<string, string?>(),
            _ => { },
            app => app.Run(context => fake!.HandleAsync(context)));
        fake = new FakeGcp(host);
        return fake;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var flavor = context.Request.Headers["Metadata-Flavor"].FirstOrDefault();
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        Requests.Enqueue(new Request(context.Request.Method, raw, flavor, authorization));
        var path = raw.Split('?')[0];
        var query = raw.Contains('?', StringComparison.Ordinal) ? raw[(raw.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";

        if (path.StartsWith("/computeMetadata/v1/", StringComparison.Ordinal))
        {
            await MetadataAsync(context, path["/computeMetadata/v1/".Length..], flavor);
        }
        else if (path.StartsWith("/storage/v1/b/", StringComparison.Ordinal) || path.StartsWith("/secretmanager/v1/", StringComparison.Ordinal))
        {
            if (authorization != "Bearer " + Token)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            if (path.StartsWith("/storage/", StringComparison.Ordinal))
            {
                await StorageAsync(context, path["/storage/v1/b/".Length..], query);
            }
            else
            {
                await SecretAsync(context, path["/secretmanager/v1/".Length..]);
            }
        }
        else if (path == "/healthz")
        {
            if (HealthFailures > 0)
            {
                HealthFailures--;
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await context.Response.WriteAsync("ok");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task MetadataAsync(HttpContext context, string path, string? flavor)
    {
        if (flavor != "Google")
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        context.Response.Headers["Metadata-Flavor"] = "Google";
        const string attributes = "instance/attributes/";
        const string guest = "instance/guest-attributes/";
        if (context.Request.Method == HttpMethods.Get && path == "instance/service-accounts/default/token")
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["access_token"] = Token,
                ["expires_in"] = 3599,
                ["token_type"] = "Bearer",
            }));
        }
        else if (context.Request.Method == HttpMethods.Get && path.StartsWith(attributes, StringComparison.Ordinal)
            && Attributes.TryGetValue(path[attributes.Length..], out var value))
        {
            await context.Response.WriteAsync(value);
        }
        else if (context.Request.Method == HttpMethods.Get && path == "instance/network-interfaces/0/ip")
        {
            await context.Response.WriteAsync(PrivateIp);
        }
        else if (context.Request.Method == HttpMethods.Get && path == "project/project-id")
        {
            await context.Response.WriteAsync(Project);
        }
        else if (context.Request.Method == HttpMethods.Put && path.StartsWith(guest, StringComparison.Ordinal))
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            GuestAttributes[path[guest.Length..]] = await reader.ReadToEndAsync();
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task StorageAsync(HttpContext context, string path, string query)
    {
        // b/<bucket>/o/<url-encoded object>?alt=media: the object name is one encoded segment.
        var parts = path.Split('/');
        if (parts.Length != 3 || parts[1] != "o" || query != "alt=media"
            || !Objects.TryGetValue(Uri.UnescapeDataString(parts[0]) + "/" + Uri.UnescapeDataString(parts[2]), out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await context.Response.Body.WriteAsync(content);
    }

    private async Task SecretAsync(HttpContext context, string path)
    {
        const string prefix = "projects/" + Project + "/secrets/";
        const string suffix = "/versions/latest:access";
        if (context.Request.Method != HttpMethods.Get || !path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal)
            || !Secrets.TryGetValue(path[prefix.Length..^suffix.Length], out var secret))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = $"projects/{Project}/secrets/{path[prefix.Length..^suffix.Length]}/versions/1",
            ["payload"] = new Dictionary<string, string> { ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) },
        }));
    }
}
