using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BuzzTalk.Testing;

/// <summary>
/// The GCE metadata server, the Cloud Storage JSON API (media download, object metadata, media
/// upload with generation preconditions) and Secret Manager (access, addVersion) as far as the
/// startup scripts and the Deployer use them, on one loopback Kestrel. Like the real ones it
/// refuses metadata requests without <c>Metadata-Flavor: Google</c> and API requests without the
/// bearer token, answers errors with Google's error body, and records every request.
/// </summary>
public sealed class FakeInstanceCloud : IAsyncDisposable
{
    public const string Token = "ya29.c.b0AXv0zTFAKE-EXAMPLE-TOKEN";
    public const string Project = "acme-prod";

    /// <summary>Secret Manager names resources by project number, whatever id the caller used.</summary>
    public const string ProjectNumber = "123456789012";

    public const string PrivateIp = "10.0.0.5";

    private readonly WebServiceHost _host;
    private readonly ConcurrentDictionary<string, long> _generations = new();
    private readonly ConcurrentDictionary<string, List<byte[]>> _secretVersions = new();
    private long _nextGeneration = 1_700_000_000_000_000;

    private FakeInstanceCloud(WebServiceHost host) => _host = host;

    public sealed record Request(string Method, string RawTarget, string? MetadataFlavor, string? Authorization, byte[] Body);

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Instance attributes by key; a missing key answers 404 like the real server.</summary>
    public ConcurrentDictionary<string, string> Attributes { get; } = new();

    /// <summary>Objects by "bucket/object name".</summary>
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new();

    public ConcurrentDictionary<string, string> GuestAttributes { get; } = new();

    /// <summary>Instance metadata values the scripts wait on (e.g. <c>instance/preempted</c>), by path.</summary>
    public ConcurrentDictionary<string, string> InstanceValues { get; } = new();

    /// <summary>How many health checks answer 503 before the stack is "up".</summary>
    public int HealthFailures { get; set; }

    public string MetadataUrl => _host.Address + "computeMetadata/v1";

    public string StorageUrl => _host.Address + "storage/v1";

    public string UploadUrl => _host.Address + "upload/storage/v1";

    public string SecretManagerUrl => _host.Address + "secretmanager/v1";

    public string HealthUrl => _host.Address + "healthz";

    public static async Task<FakeInstanceCloud> StartAsync()
    {
        FakeInstanceCloud? fake = null;
        var host = await WebServiceHost.StartAsync(
            new Dictionary<string, string?>(),
            _ => { },
            app => app.Run(context => fake!.HandleAsync(context)));
        fake = new FakeInstanceCloud(host);
        return fake;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    /// <summary>Adds a version to a secret (created on first use); returns its number.</summary>
    public int AddSecretVersion(string secret, byte[] payload)
    {
        var versions = _secretVersions.GetOrAdd(secret, _ => []);
        lock (versions)
        {
            versions.Add(payload);
            return versions.Count;
        }
    }

    public void SetSecret(string secret, string value) => AddSecretVersion(secret, Encoding.UTF8.GetBytes(value));

    /// <summary>Every version of a secret, oldest first.</summary>
    public IReadOnlyList<byte[]> SecretVersions(string secret)
    {
        if (!_secretVersions.TryGetValue(secret, out var versions))
        {
            return [];
        }

        lock (versions)
        {
            return [.. versions];
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var flavor = context.Request.Headers["Metadata-Flavor"].FirstOrDefault();
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        Requests.Enqueue(new Request(context.Request.Method, raw, flavor, authorization, body));
        var path = raw.Split('?')[0];
        var query = raw.Contains('?', StringComparison.Ordinal) ? raw[(raw.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";

        if (path.StartsWith("/computeMetadata/v1/", StringComparison.Ordinal))
        {
            await MetadataAsync(context, path["/computeMetadata/v1/".Length..], flavor, body);
        }
        else if (path.StartsWith("/storage/v1/b/", StringComparison.Ordinal) || path.StartsWith("/upload/storage/v1/b/", StringComparison.Ordinal)
            || path.StartsWith("/secretmanager/v1/", StringComparison.Ordinal))
        {
            if (authorization != "Bearer " + Token)
            {
                await ErrorAsync(context, StatusCodes.Status401Unauthorized, "Request had invalid authentication credentials.", "UNAUTHENTICATED");
                return;
            }

            if (path.StartsWith("/storage/", StringComparison.Ordinal))
            {
                await StorageAsync(context, path["/storage/v1/b/".Length..], Query(query));
            }
            else if (path.StartsWith("/upload/", StringComparison.Ordinal))
            {
                await UploadAsync(context, path["/upload/storage/v1/b/".Length..], Query(query), body);
            }
            else
            {
                await SecretAsync(context, path["/secretmanager/v1/".Length..], body);
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

    private static Dictionary<string, string> Query(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    private async Task MetadataAsync(HttpContext context, string path, string? flavor, byte[] body)
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
        else if (context.Request.Method == HttpMethods.Get && InstanceValues.TryGetValue(path, out var instanceValue))
        {
            await context.Response.WriteAsync(instanceValue);
        }
        else if (context.Request.Method == HttpMethods.Put && path.StartsWith(guest, StringComparison.Ordinal))
        {
            GuestAttributes[path[guest.Length..]] = Encoding.UTF8.GetString(body);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private long Generation(string key) => _generations.GetOrAdd(key, _ => Interlocked.Increment(ref _nextGeneration));

    private async Task StorageAsync(HttpContext context, string path, Dictionary<string, string> query)
    {
        // b/<bucket>/o/<url-encoded object>: the object name is one encoded segment.
        var parts = path.Split('/');
        var key = parts.Length == 3 && parts[1] == "o" ? Uri.UnescapeDataString(parts[0]) + "/" + Uri.UnescapeDataString(parts[2]) : null;
        if (context.Request.Method != HttpMethods.Get || key is null || !Objects.TryGetValue(key, out var content))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "No such object.", "notFound");
            return;
        }

        var generation = Generation(key).ToString(CultureInfo.InvariantCulture);
        if (query.GetValueOrDefault("alt") == "media")
        {
            context.Response.Headers["x-goog-generation"] = generation;
            await context.Response.Body.WriteAsync(content);
            return;
        }

        await JsonAsync(context, ObjectResource(key, content.Length, generation));
    }

    private async Task UploadAsync(HttpContext context, string path, Dictionary<string, string> query, byte[] body)
    {
        // POST upload/storage/v1/b/<bucket>/o?uploadType=media&name=<object>[&ifGenerationMatch=N]
        var parts = path.Split('/');
        if (context.Request.Method != HttpMethods.Post || parts.Length != 2 || parts[1] != "o"
            || query.GetValueOrDefault("uploadType") != "media" || query.GetValueOrDefault("name") is not { Length: > 0 } name)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Upload requests must include an uploadType and a name.", "invalid");
            return;
        }

        var key = Uri.UnescapeDataString(parts[0]) + "/" + name;
        lock (_generations)
        {
            if (query.TryGetValue("ifGenerationMatch", out var expected))
            {
                var current = Objects.ContainsKey(key) ? Generation(key).ToString(CultureInfo.InvariantCulture) : "0";
                if (current != expected)
                {
                    context.Response.StatusCode = StatusCodes.Status412PreconditionFailed;
                }
            }

            if (context.Response.StatusCode != StatusCodes.Status412PreconditionFailed)
            {
                Objects[key] = body;
                _generations[key] = Interlocked.Increment(ref _nextGeneration);
            }
        }

        if (context.Response.StatusCode == StatusCodes.Status412PreconditionFailed)
        {
            await ErrorAsync(context, StatusCodes.Status412PreconditionFailed, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet");
            return;
        }

        await JsonAsync(context, ObjectResource(key, body.Length, Generation(key).ToString(CultureInfo.InvariantCulture)));
    }

    private static Dictionary<string, object> ObjectResource(string key, int size, string generation)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return new Dictionary<string, object>
        {
            ["kind"] = "storage#object",
            ["bucket"] = key[..slash],
            ["name"] = key[(slash + 1)..],
            ["generation"] = generation,
            ["metageneration"] = "1",
            ["size"] = size.ToString(CultureInfo.InvariantCulture),
        };
    }

    private async Task SecretAsync(HttpContext context, string path, byte[] body)
    {
        // projects/<p>/secrets/<s>/versions/<latest|n>:access and projects/<p>/secrets/<s>:addVersion
        var parts = path.Split('/');
        if (parts.Length < 4 || parts[0] != "projects" || parts[1] is not (Project or ProjectNumber) || parts[2] != "secrets")
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Secret not found.", "NOT_FOUND");
            return;
        }

        if (context.Request.Method == HttpMethods.Post && parts.Length == 4 && parts[3].EndsWith(":addVersion", StringComparison.Ordinal))
        {
            var secret = parts[3][..^":addVersion".Length];
            byte[] payload;
            try
            {
                using var json = JsonDocument.Parse(body);
                payload = Convert.FromBase64String(json.RootElement.GetProperty("payload").GetProperty("data").GetString()!);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid payload.", "INVALID_ARGUMENT");
                return;
            }

            var version = AddSecretVersion(secret, payload);
            await JsonAsync(context, new Dictionary<string, object>
            {
                ["name"] = $"projects/{ProjectNumber}/secrets/{secret}/versions/{version.ToString(CultureInfo.InvariantCulture)}",
                ["createTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                ["state"] = "ENABLED",
            });
            return;
        }

        if (context.Request.Method == HttpMethods.Get && parts.Length == 6 && parts[4] == "versions" && parts[5].EndsWith(":access", StringComparison.Ordinal))
        {
            var versions = SecretVersions(parts[3]);
            var which = parts[5][..^":access".Length];
            var number = which == "latest" ? versions.Count : int.TryParse(which, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            if (number < 1 || number > versions.Count)
            {
                await ErrorAsync(context, StatusCodes.Status404NotFound, $"Secret Version [projects/{ProjectNumber}/secrets/{parts[3]}/versions/{which}] not found.", "NOT_FOUND");
                return;
            }

            await JsonAsync(context, new Dictionary<string, object>
            {
                ["name"] = $"projects/{ProjectNumber}/secrets/{parts[3]}/versions/{number.ToString(CultureInfo.InvariantCulture)}",
                ["payload"] = new Dictionary<string, string> { ["data"] = Convert.ToBase64String(versions[number - 1]) },
            });
            return;
        }

        await ErrorAsync(context, StatusCodes.Status404NotFound, "Not found.", "NOT_FOUND");
    }

    private static async Task JsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(value));
    }

    /// <summary>Google's error body: <c>{"error":{"code","message","errors":[{"message","domain","reason"}]}}</c>.</summary>
    private static async Task ErrorAsync(HttpContext context, int status, string message, string reason)
    {
        context.Response.StatusCode = status;
        await JsonAsync(context, new Dictionary<string, object>
        {
            ["error"] = new Dictionary<string, object>
            {
                ["code"] = status,
                ["message"] = message,
                ["errors"] = new[] { new Dictionary<string, string> { ["message"] = message, ["domain"] = "global", ["reason"] = reason } },
            },
        });
    }
}
