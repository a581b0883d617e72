using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;
using Polly;
using Polly.Retry;

namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// The desired release in the cloud: the record and the release archives in the bundle bucket
/// (Cloud Storage JSON API), the env files in Secret Manager, with the ops host's service-account
/// token from the metadata server. The record is written with a generation precondition, so two
/// deployers recording at once cannot overwrite each other unseen. Transient failures (429, 5xx,
/// connection errors) are retried with backoff; anything else is a <see cref="ReleaseStoreException"/>.
/// </summary>
public sealed class GcpReleaseStore : IDisposable
{
    private readonly ReleaseStoreOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private string? _token;
    private DateTimeOffset _tokenExpires;
    private string? _project;

    public GcpReleaseStore(ReleaseStoreOptions options, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline times each attempt
        };
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<Polly.Timeout.TimeoutRejectedException>()
                    .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    public string DesiredObject => $"{_options.Prefix}/desired.json";

    public string BundleObject(string releaseId) => $"{_options.Prefix}/{releaseId}.tar.gz";

    /// <summary>The record and its generation (0 when there is none yet).</summary>
    public async Task<(DesiredRelease? Release, long Generation)> ReadDesiredAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, ObjectUrl(DesiredObject) + "?alt=media"), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, 0);
        }

        await EnsureSuccessAsync(response, $"reading gs://{_options.Bucket}/{DesiredObject}", cancellationToken).ConfigureAwait(false);
        var generation = response.Headers.TryGetValues("x-goog-generation", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (JsonSerializer.Deserialize(body, ReleaseJsonContext.Default.DesiredRelease), generation);
        }
        catch (JsonException ex)
        {
            throw new ReleaseStoreException($"gs://{_options.Bucket}/{DesiredObject} is not a release record: {ex.Message}", inner: ex);
        }
    }

    /// <summary>Writes the record if it is still at <paramref name="generation"/> (0 = must not exist yet).</summary>
    public async Task WriteDesiredAsync(DesiredRelease release, long generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        var body = JsonSerializer.SerializeToUtf8Bytes(release, ReleaseJsonContext.Default.DesiredRelease);
        await UploadAsync(DesiredObject, body, "application/json", generation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads the release's archive unless it is there already; returns its object name.</summary>
    public async Task<string> EnsureBundleAsync(ReleaseContent release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        var name = BundleObject(release.ReleaseId);
        using (var head = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, ObjectUrl(name)), cancellationToken).ConfigureAwait(false))
        {
            if (head.IsSuccessStatusCode)
            {
                return name; // Content-addressed: the same id is the same files.
            }

            if (head.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(head, $"reading gs://{_options.Bucket}/{name}", cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            await UploadAsync(name, ReleaseArchive.Create(release), "application/gzip", 0, cancellationToken).ConfigureAwait(false);
        }
        catch (ReleaseStoreException ex) when (ex.IsConflict)
        {
            // Another deployer uploaded the same release first.
        }

        return name;
    }

    /// <summary>An object's bytes (a release archive).</summary>
    public async Task<byte[]> ReadObjectAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, ObjectUrl(name) + "?alt=media"), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"reading gs://{_options.Bucket}/{name}", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The env files of a recorded Secret Manager version (name → content).</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> ReadEnvVersionAsync(string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (!System.Text.RegularExpressions.Regex.IsMatch(version, "^projects/[A-Za-z0-9.:-]{1,100}/secrets/[A-Za-z0-9_-]{1,255}/versions/[0-9]{1,18}$"))
        {
            throw new ReleaseStoreException($"'{version}' is not a Secret Manager version name");
        }

        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{_options.SecretManagerUrl.TrimEnd('/')}/{version}:access"), cancellationToken)
            .ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"reading {version}", cancellationToken).ConfigureAwait(false);
        var secret = await ReadJsonAsync(response, ReleaseJsonContext.Default.SecretVersionResponse, cancellationToken).ConfigureAwait(false);
        try
        {
            var payload = JsonSerializer.Deserialize(Convert.FromBase64String(secret?.Payload?.Data ?? ""), ReleaseJsonContext.Default.EnvPayload);
            return payload?.Files.ToDictionary(f => f.Key, f => Convert.FromBase64String(f.Value), StringComparer.Ordinal)
                ?? throw new ReleaseStoreException($"{version} holds no env files");
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new ReleaseStoreException($"{version} is not an env file set: {ex.GetType().Name}", inner: ex);
        }
    }

    /// <summary>Adds the env files as a new version of the env secret; returns the version's full name.</summary>
    public async Task<string> AddEnvVersionAsync(IReadOnlyDictionary<string, byte[]> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new EnvPayload(files.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(f => f.Key, f => Convert.ToBase64String(f.Value), StringComparer.Ordinal)),
            ReleaseJsonContext.Default.EnvPayload);
        var request = JsonSerializer.SerializeToUtf8Bytes(new SecretVersionRequest(new SecretPayload(Convert.ToBase64String(payload))),
            ReleaseJsonContext.Default.SecretVersionRequest);
        Array.Clear(payload);
        var project = await ProjectAsync(cancellationToken).ConfigureAwait(false);
        var url = $"{_options.SecretManagerUrl.TrimEnd('/')}/projects/{Uri.EscapeDataString(project)}/secrets/{Uri.EscapeDataString(_options.EnvSecret)}:addVersion";
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(request) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"adding a version to secret {_options.EnvSecret}", cancellationToken).ConfigureAwait(false);
        var version = await ReadJsonAsync(response, ReleaseJsonContext.Default.SecretVersionResponse, cancellationToken).ConfigureAwait(false);
        return version?.Name is { Length: > 0 } name
            ? name
            : throw new ReleaseStoreException($"Secret Manager answered addVersion on {_options.EnvSecret} without a version name.");
    }

    /// <summary>A digest of an env file set: names and contents, in name order.</summary>
    public static string EnvSha256(IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\n{content.Length.ToString(CultureInfo.InvariantCulture)}\n"));
            hash.AppendData(content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenGate.Dispose();
    }

    private string ObjectUrl(string name) =>
        $"{_options.StorageUrl.TrimEnd('/')}/b/{Uri.EscapeDataString(_options.Bucket)}/o/{Uri.EscapeDataString(name)}";

    private async Task UploadAsync(string name, byte[] content, string contentType, long ifGeneration, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"{_options.UploadUrl.TrimEnd('/')}/b/{Uri.EscapeDataString(_options.Bucket)}/o?uploadType=media&name={Uri.EscapeDataString(name)}&ifGenerationMatch={ifGeneration}");
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } },
        }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"writing gs://{_options.Bucket}/{name}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _retry.ExecuteAsync(async ct =>
            {
                using var request = create();
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new ReleaseStoreException($"Google Cloud did not answer: {ex.Message}", inner: ex);
        }
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await _tokenGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && _time.GetUtcNow() < _tokenExpires)
            {
                return _token;
            }

            using var response = await MetadataAsync("instance/service-accounts/default/token", cancellationToken).ConfigureAwait(false);
            var token = await ReadJsonAsync(response, ReleaseJsonContext.Default.AccessTokenResponse, cancellationToken).ConfigureAwait(false);
            if (token?.AccessToken is not { Length: > 0 } value)
            {
                throw new ReleaseStoreException("the metadata server answered without an access token");
            }

            // Renewed a minute early so a long rollout never sends an expired token.
            _token = value;
            _tokenExpires = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, token.ExpiresIn - 60));
            return value;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private async Task<string> ProjectAsync(CancellationToken cancellationToken)
    {
        if (_options.Project.Length > 0)
        {
            return _options.Project;
        }

        if (_project is null)
        {
            using var response = await MetadataAsync("project/project-id", cancellationToken).ConfigureAwait(false);
            _project = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        }

        return _project;
    }

    private async Task<HttpResponseMessage> MetadataAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _retry.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{_options.MetadataUrl.TrimEnd('/')}/{path}");
                request.Headers.Add("Metadata-Flavor", "Google");
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new ReleaseStoreException($"the metadata server did not answer: {ex.Message}", inner: ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new ReleaseStoreException($"the metadata server answered {(int)response.StatusCode} for {path}", (int)response.StatusCode);
        }

        return response;
    }

    private static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), type);
        }
        catch (JsonException ex)
        {
            throw new ReleaseStoreException($"unexpected answer from {response.RequestMessage?.RequestUri?.Host}: {ex.Message}", inner: ex);
        }
    }

    /// <summary>Google's error message (never the request body) for any non-2xx answer.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
                ReleaseJsonContext.Default.GoogleErrorResponse)?.Error?.Message;
        }
        catch (JsonException)
        {
            // Not Google's error body: the status says enough.
        }

        var status = (int)response.StatusCode;
        throw new ReleaseStoreException(
            $"{what}: HTTP {status.ToString(CultureInfo.InvariantCulture)}{(message is { Length: > 0 } ? $" ({Truncate(message)})" : "")}", status);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
