using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// A local fake of the Compute Engine v1 REST API, Google's OAuth2 token endpoint (JWT-bearer and refresh-token
/// grants) and the GCE metadata server's token endpoint, served by Kestrel on a loopback port, with the wire formats
/// of the captures in <c>Fakes/Reference/</c> (from <c>shared/reference/gcp/</c>). State can be changed while it runs.
/// <para>
/// Compute pagination: instances are listed by zone, then name (ordinal); a page token names the first item of
/// the next page. As in the aggregated-list captures, a page carries the scopes its scan went over: on the first
/// page every zone up to the zone of the next page's first item, on later pages from the zone where the page starts
/// (the token's zone) to that zone, on the last page up to the last zone. Zones with none of the page's instances
/// carry the <c>NO_RESULTS_ON_PAGE</c> warning. <c>returnPartialSuccess</c> is accepted and changes nothing (no zone
/// is ever unreachable), <c>orderBy</c> is ignored, and <c>filter</c> supports what <see cref="FakeComputeFilter"/>
/// describes (anything else is answered 400). An unknown project answers 404.
/// </para>
/// <para>
/// Operations (<c>globalOperations.aggregatedList</c>, <c>GET projects/{p}/aggregated/operations</c>): the zone
/// operations added with <see cref="Preempt"/> or <see cref="AddOperation"/>, paged and scoped exactly as the
/// instances (by zone, then name; zones of the project without operations on a page carry the warning), filtered
/// by <see cref="FakeComputeFilter.OperationField"/>.
/// </para>
/// <para>
/// Compression as Google documents it ("Performance tips: gzip"): a Compute answer is gzip-encoded
/// (<c>Content-Encoding: gzip</c>) when the request sends <c>Accept-Encoding: gzip</c> and its User-Agent contains
/// <c>gzip</c>; otherwise it is sent as is.
/// </para>
/// </summary>
public sealed class FakeGcp : IAsyncDisposable
{
    private const string ComputePath = "/compute/v1/";
    private const string TokenPath = "/token";
    private const string StatsPath = "/_fake/stats";
    private const string MetadataPath = "/computeMetadata/";
    private const string MetadataTokenPath = "/computeMetadata/v1/instance/service-accounts/default/token";
    private const string ComputeContentType = "application/json; charset=UTF-8";
    private const int TokenLifetimeSeconds = 3599;
    private const string RefreshTokenGrantType = "refresh_token";
    private const int DefaultMaxResults = 500;

    private static readonly JsonSerializerOptions KeyFileOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeProject> _projects = new(StringComparer.Ordinal);
    private readonly List<string> _computeLog = [];
    private readonly ConcurrentDictionary<string, FakeServiceAccountKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeUserCredential> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private WebApplication? _app;
    private Uri? _baseUri;
    private int _failNextCount;
    private int _failNextStatus;
    private int _failAlwaysStatus;
    private long _computeDelayTicks;
    private int _malformedAnswers;
    private int _computeRequests;
    private int _operationsRequests;
    private int _operationSequence;
    private long _computeBodyBytes;
    private long _computeWireBytes;
    private int _computeGzipAnswers;
    private int _tokenRequests;
    private int _metadataRequests;
    private int _disposed;

    private FakeGcp()
    {
    }

    /// <summary>"http://127.0.0.1:&lt;port&gt;/compute/v1/": Compute paths (<c>projects/{p}/…</c>) go below it.</summary>
    public Uri ComputeBaseUrl => new(BaseUri, "compute/v1/");

    /// <summary>The fake's own counters as JSON (not a Google path): <c>computeRequests</c>, <c>computeBodyBytes</c>, <c>computeWireBytes</c>, ….</summary>
    public Uri StatsUri => new(BaseUri, StatsPath[1..]);

    /// <summary>The OAuth2 token endpoint (the key files' <c>token_uri</c> and the JWTs' <c>aud</c>).</summary>
    public Uri TokenUri => new(BaseUri, "token");

    /// <summary>The metadata server's token URL (for <c>ComputeCredential.Initializer(tokenUrl)</c>).</summary>
    public Uri MetadataTokenUri => new(BaseUri, MetadataTokenPath[1..]);

    /// <summary>What a client treats as the metadata host (<c>GCE_METADATA_HOST</c> = its authority).</summary>
    public Uri MetadataBaseUri => BaseUri;

    /// <summary>Delay before every Compute answer; a request aborted meanwhile gets no answer.</summary>
    public TimeSpan ComputeDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _computeDelayTicks));
        set => Interlocked.Exchange(ref _computeDelayTicks, value.Ticks);
    }

    /// <summary>
    /// Every Compute answer is sent 200 with its JSON cut off halfway (a proxy's or a dropped connection's body), until
    /// set back to false.
    /// </summary>
    public bool MalformedAnswers
    {
        get => Volatile.Read(ref _malformedAnswers) != 0;
        set => Volatile.Write(ref _malformedAnswers, value ? 1 : 0);
    }

    /// <summary>Compute calls need <c>Authorization: Bearer &lt;a token this fake issued&gt;</c>, else 401.</summary>
    public bool RequireAuthorization { get; set; } = true;

    public int ComputeRequests => Volatile.Read(ref _computeRequests);

    /// <summary>Calls of the aggregated operations list (the preemption watch's), included in <see cref="ComputeRequests"/>.</summary>
    public int OperationsRequests => Volatile.Read(ref _operationsRequests);

    /// <summary>Bytes of the Compute answers' JSON before any compression.</summary>
    public long ComputeBodyBytes => Interlocked.Read(ref _computeBodyBytes);

    /// <summary>Bytes of the Compute answers' bodies as sent (compressed or not).</summary>
    public long ComputeWireBytes => Interlocked.Read(ref _computeWireBytes);

    /// <summary>Compute answers sent gzip-encoded.</summary>
    public int ComputeGzipAnswers => Volatile.Read(ref _computeGzipAnswers);

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    /// <summary>Every Compute call so far, in order, as "METHOD /compute/v1/…?query" (the request target as sent).</summary>
    public IReadOnlyList<string> ComputeRequestLog
    {
        get
        {
            lock (_gate)
            {
                return [.. _computeLog];
            }
        }
    }

    private Uri BaseUri => _baseUri ?? throw new InvalidOperationException("The fake has not started.");

    public static async Task<FakeGcp> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeGcp();
        var builder = WebApplication.CreateSlimBuilder();
        // No appsettings or ASPNETCORE_* variables: nothing may move the endpoint off loopback.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        fake._app = app;
        try
        {
            await app.StartAsync(cancellationToken);
            fake._baseUri = new Uri(app.Urls.Single() + "/");
            return fake;
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A service-account key file (JSON text with the fields of a real one) for <paramref name="projectId"/>,
    /// holding a new RSA 2048 key; the fake keeps its public half to verify the JWTs signed with it.
    /// </summary>
    public string ServiceAccountKeyJson(string projectId)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        using var rsa = RSA.Create(2048);
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var email = $"buzztalk-discovery@{projectId}.iam.gserviceaccount.com";
        _keys[keyId] = new FakeServiceAccountKey(keyId, email, rsa.ExportSubjectPublicKeyInfo());
        var clientId = string.Concat(Enumerable.Range(0, 21).Select(i => RandomNumberGenerator.GetInt32(i == 0 ? 1 : 0, 10)));
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = keyId,
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = clientId,
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUri.ToString(),
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["client_x509_cert_url"] = "https://www.googleapis.com/robot/v1/metadata/x509/" + Uri.EscapeDataString(email),
            ["universe_domain"] = "googleapis.com",
        }.ToJsonString(KeyFileOptions);
    }

    /// <summary>
    /// gcloud's application-default user credentials (<c>gcloud auth application-default login</c> writes this
    /// file, type <c>authorized_user</c>) for a new OAuth client and refresh token the fake accepts. Unlike
    /// gcloud's file it names the fake as <c>token_uri</c>: without one a client posts to Google.
    /// </summary>
    public string AuthorizedUserJson()
    {
        var user = new FakeUserCredential(
            $"{RandomNumberGenerator.GetInt32(100_000_000, 999_999_999)}-fake.apps.googleusercontent.com",
            "GOCSPX-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(21)),
            "1//0fake-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48)));
        _users[user.ClientId] = user;
        return new JsonObject
        {
            ["account"] = "",
            ["client_id"] = user.ClientId,
            ["client_secret"] = user.ClientSecret,
            ["refresh_token"] = user.RefreshToken,
            ["token_uri"] = TokenUri.ToString(),
            ["type"] = "authorized_user",
            ["universe_domain"] = "googleapis.com",
        }.ToJsonString(KeyFileOptions);
    }

    /// <summary>Replaces the project's instances (its zones stay known).</summary>
    public void SetInstances(string project, IEnumerable<FakeInstance> instances)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        ArgumentNullException.ThrowIfNull(instances);
        var sorted = instances
            .OrderBy(instance => instance.Zone, StringComparer.Ordinal)
            .ThenBy(instance => instance.Name, StringComparer.Ordinal)
            .ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (Compare((sorted[i - 1].Zone, sorted[i - 1].Name), sorted[i].Zone, sorted[i].Name) == 0)
            {
                throw new ArgumentException($"Two instances are named {sorted[i].Name} in {sorted[i].Zone}.", nameof(instances));
            }
        }

        lock (_gate)
        {
            var state = Project(project);
            state.Instances = sorted;
            state.Zones.UnionWith(sorted.Select(instance => instance.Zone));
        }
    }

    /// <summary>Adds a zone without instances: the aggregated list shows it with the NO_RESULTS_ON_PAGE warning.</summary>
    public void AddEmptyZone(string project, string zone)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        ArgumentException.ThrowIfNullOrEmpty(zone);
        lock (_gate)
        {
            Project(project).Zones.Add(zone);
        }
    }

    /// <summary>
    /// Records Compute Engine's preemption of <paramref name="instance"/> now: a <c>compute.instances.preempted</c>
    /// operation naming its zone, name and id. The instance itself is left as it is (a preempted VM stays RUNNING
    /// for its notice): tests change it with <see cref="SetInstances"/>.
    /// </summary>
    public FakeOperation Preempt(string project, FakeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var at = _time.GetUtcNow();
        var sequence = Interlocked.Increment(ref _operationSequence);
        var operation = new FakeOperation(instance.Zone,
            $"systemevent-{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{sequence:x13}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}",
            instance.Name, instance.Id, at);
        AddOperation(project, operation);
        return operation;
    }

    /// <summary>Adds a zone operation as given (malformed ones too); its zone becomes one of the project's.</summary>
    public void AddOperation(string project, FakeOperation operation)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        ArgumentNullException.ThrowIfNull(operation);
        lock (_gate)
        {
            var state = Project(project);
            state.Operations = [.. state.Operations.Append(operation)
                .OrderBy(o => o.Zone, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal)];
            state.Zones.Add(operation.Zone);
        }
    }

    /// <summary>
    /// Sets a regional managed group's members (in the given order). A group is PAGELESS (one answer with every
    /// member, <c>maxResults</c>/<c>pageToken</c> ignored) unless <paramref name="paginated"/>.
    /// </summary>
    public void SetManagedGroup(string project, string region, string group, IEnumerable<FakeManagedMember> members, bool paginated = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(members);
        var managed = new FakeManagedGroup([.. members], paginated);
        lock (_gate)
        {
            Project(project).Groups[$"{region}/{group}"] = managed;
        }
    }

    /// <summary>The next <paramref name="count"/> Compute calls answer <paramref name="statusCode"/> with Google's error body.</summary>
    public void FailNext(int statusCode, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            (_failNextStatus, _failNextCount) = (statusCode, count);
        }
    }

    /// <summary>Every Compute call answers <paramref name="statusCode"/> until <see cref="Recover"/>.</summary>
    public void FailAlways(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_gate)
        {
            _failAlwaysStatus = statusCode;
        }
    }

    /// <summary>
    /// Revokes every access token issued so far (as a revoked service-account key or a rotated credential does):
    /// Compute calls carrying one are answered 401 with Google's "Invalid Credentials" body.
    /// </summary>
    public void RevokeAccessTokens() => _accessTokens.Clear();

    /// <summary>Ends <see cref="FailAlways"/> and any pending <see cref="FailNext"/>.</summary>
    public void Recover()
    {
        lock (_gate)
        {
            (_failAlwaysStatus, _failNextCount) = (0, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync(); // ends delayed answers at once
        if (_app is { } app)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await app.StopAsync(timeout.Token);
            }
            finally
            {
                await app.DisposeAsync();
            }
        }

        _stopping.Dispose();
    }

    private static int Compare((string Zone, string Name) item, string zone, string name)
    {
        var byZone = string.CompareOrdinal(item.Zone, zone);
        return byZone != 0 ? byZone : string.CompareOrdinal(item.Name, name);
    }

    private FakeProject Project(string project)
    {
        if (!_projects.TryGetValue(project, out var state))
        {
            _projects[project] = state = new FakeProject();
        }

        return state;
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ComputePath, StringComparison.Ordinal))
        {
            return HandleComputeAsync(context, path[ComputePath.Length..].Split('/'));
        }

        if (path == TokenPath)
        {
            return HandleTokenAsync(context);
        }

        if (path == StatsPath)
        {
            // Not Google's: the counters for a benchmark that runs the fake in another process.
            return WriteTextAsync(context, StatusCodes.Status200OK, "application/json", new JsonObject
            {
                ["computeRequests"] = ComputeRequests,
                ["operationsRequests"] = OperationsRequests,
                ["computeBodyBytes"] = ComputeBodyBytes,
                ["computeWireBytes"] = ComputeWireBytes,
                ["computeGzipAnswers"] = ComputeGzipAnswers,
                ["tokenRequests"] = TokenRequests,
            }.ToJsonString());
        }

        if (path == "/" || path.StartsWith(MetadataPath, StringComparison.Ordinal))
        {
            return HandleMetadataAsync(context, path);
        }

        return WriteTextAsync(context, StatusCodes.Status404NotFound, "text/plain; charset=utf-8", "Not Found\n");
    }

    // ---- Compute Engine v1 ----

    private async Task HandleComputeAsync(HttpContext context, string[] route)
    {
        Interlocked.Increment(ref _computeRequests);
        if (route is ["projects", _, "aggregated", "operations"])
        {
            Interlocked.Increment(ref _operationsRequests);
        }

        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.Path}{request.QueryString}";
        lock (_gate)
        {
            _computeLog.Add($"{request.Method} {target}");
        }

        if (ComputeDelay is { Ticks: > 0 } delay)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(delay, _time, either.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return;
            }
        }

        var (status, body) = TakeFailure() is { } failure ? (failure, InjectedFailure(failure, route))
            : RequireAuthorization && Unauthorized(request) is { } unauthorized ? (StatusCodes.Status401Unauthorized, unauthorized)
            : (request.Method, route) switch
            {
                ("GET", ["projects", var p, "aggregated", "instances"]) => AggregatedList(request, p),
                ("GET", ["projects", var p, "aggregated", "operations"]) => AggregatedOperations(request, p),
                ("GET", ["projects", var p, "zones", var z, "instances"]) => ZoneList(request, p, z),
                ("GET", ["projects", var p, "zones", var z, "instances", var name]) => GetInstance(p, z, name),
                ("POST", ["projects", var p, "regions", var r, "instanceGroupManagers", var g, "listManagedInstances"]) =>
                    ListManagedInstances(request, p, r, g),
                _ => (StatusCodes.Status404NotFound, FakeComputeJson.NotFound(string.Join('/', route))),
            };

        if (status == StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        else if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\"";
        }

        await WriteComputeAsync(context, status, body);
    }

    private async Task WriteComputeAsync(HttpContext context, int status, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString(FakeComputeJson.Options));
        if (MalformedAnswers)
        {
            (status, bytes) = (StatusCodes.Status200OK, bytes[..(bytes.Length / 2)]);
        }

        Interlocked.Add(ref _computeBodyBytes, bytes.Length);
        var request = context.Request;
        var gzip = request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            && request.Headers.UserAgent.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(bytes, context.RequestAborted);
            }

            bytes = compressed.ToArray();
            context.Response.Headers.ContentEncoding = "gzip";
            Interlocked.Increment(ref _computeGzipAnswers);
        }

        Interlocked.Add(ref _computeWireBytes, bytes.Length);
        context.Response.StatusCode = status;
        context.Response.ContentType = ComputeContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private int? TakeFailure()
    {
        lock (_gate)
        {
            if (_failAlwaysStatus != 0)
            {
                return _failAlwaysStatus;
            }

            if (_failNextCount > 0)
            {
                _failNextCount--;
                return _failNextStatus;
            }

            return null;
        }
    }

    private static JsonObject InjectedFailure(int status, string[] route)
    {
        var (project, permission, resource) = route switch
        {
            ["projects", var p, "zones", var z, "instances", var name] => (p, "compute.instances.get", $"projects/{p}/zones/{z}/instances/{name}"),
            ["projects", var p, "aggregated", "operations"] => (p, "compute.globalOperations.list", $"projects/{p}"),
            ["projects", var p, "regions", var r, "instanceGroupManagers", var g, ..] =>
                (p, "compute.instanceGroupManagers.get", $"projects/{p}/regions/{r}/instanceGroupManagers/{g}"),
            ["projects", var p, ..] => (p, "compute.instances.list", $"projects/{p}"),
            _ => ("unknown", "compute.instances.list", string.Join('/', route)),
        };
        return FakeComputeJson.Failure(status, project, permission, resource);
    }

    private JsonObject? Unauthorized(HttpRequest request)
    {
        const string Bearer = "Bearer ";
        string? authorization = request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            || authorization.Length == Bearer.Length)
        {
            return FakeComputeJson.LoginRequired();
        }

        return _accessTokens.TryGetValue(authorization[Bearer.Length..].Trim(), out var expires) && expires > _time.GetUtcNow()
            ? null
            : FakeComputeJson.InvalidCredentials();
    }

    private (int, JsonObject) AggregatedList(HttpRequest request, string project)
    {
        IReadOnlyList<FakeInstance> all;
        string[] zones;
        lock (_gate)
        {
            if (!_projects.TryGetValue(project, out var state))
            {
                return (StatusCodes.Status404NotFound, FakeComputeJson.NotFound($"projects/{project}"));
            }

            (all, zones) = (state.Instances, [.. state.Zones]);
        }

        var (query, error) = ReadListQuery(request, FakeComputeFilter.InstanceField);
        if (error is { } invalid)
        {
            return invalid;
        }

        if (!TryAggregatedPage(all.Where(query.Keep).ToArray(), zones, query, FakePageToken.Instances, static i => (i.Zone, i.Name), out var scopes, out var next))
        {
            return InvalidPageToken(query.PageToken!);
        }

        return (StatusCodes.Status200OK, FakeComputeJson.AggregatedList(project,
            scopes.Select(scope => (scope.Zone, scope.Items.Select(instance => FakeComputeJson.Instance(project, instance)).ToList())), next));
    }

    private (int, JsonObject) AggregatedOperations(HttpRequest request, string project)
    {
        IReadOnlyList<FakeOperation> all;
        string[] zones;
        lock (_gate)
        {
            if (!_projects.TryGetValue(project, out var state))
            {
                return (StatusCodes.Status404NotFound, FakeComputeJson.NotFound($"projects/{project}"));
            }

            (all, zones) = (state.Operations, [.. state.Zones]);
        }

        var (query, error) = ReadListQuery(request, FakeComputeFilter.OperationField);
        if (error is { } invalid)
        {
            return invalid;
        }

        if (!TryAggregatedPage(all.Where(query.Keep).ToArray(), zones, query, FakePageToken.Operations, static o => (o.Zone, o.Name), out var scopes, out var next))
        {
            return InvalidPageToken(query.PageToken!);
        }

        return (StatusCodes.Status200OK, FakeComputeJson.OperationAggregatedList(project,
            scopes.Select(scope => (scope.Zone, scope.Items.Select(operation => FakeComputeJson.Operation(project, operation)).ToList())), next));
    }

    /// <summary>
    /// One page of an aggregated list of <paramref name="matching"/> (sorted by zone, then name) and the scopes the page's
    /// scan went over: from the token's zone (or the first) to the zone of the next page's first item (or the last).
    /// False for a page token this list did not issue.
    /// </summary>
    private static bool TryAggregatedPage<T>(T[] matching, string[] zones, ListQuery<T> query, string collection, Func<T, (string Zone, string Name)> key,
        out IEnumerable<(string Zone, List<T> Items)> scopes, out string? nextPageToken)
    {
        (scopes, nextPageToken) = ([], null);
        var start = 0;
        string? firstZone = null;
        if (query.PageToken is { } pageToken)
        {
            if (!FakePageToken.TryReadItem(pageToken, collection, out var zone, out var name))
            {
                return false;
            }

            start = StartOf(matching, key, zone, name);
            firstZone = zone;
        }

        var page = matching.Skip(start).Take(query.MaxResults).ToArray();
        (string Zone, string Name)? next = start + page.Length < matching.Length ? key(matching[start + page.Length]) : null;
        scopes = zones
            .Where(zone => (firstZone is null || string.CompareOrdinal(zone, firstZone) >= 0)
                && (next is null || string.CompareOrdinal(zone, next.Value.Zone) <= 0))
            .Select(zone => (zone, page.Where(item => key(item).Zone == zone).ToList()));
        nextPageToken = next is { } n ? FakePageToken.ForItem(collection, n.Zone, n.Name) : null;
        return true;
    }

    private (int, JsonObject) ZoneList(HttpRequest request, string project, string zone)
    {
        IReadOnlyList<FakeInstance> all;
        lock (_gate)
        {
            if (!_projects.TryGetValue(project, out var state))
            {
                return (StatusCodes.Status404NotFound, FakeComputeJson.NotFound($"projects/{project}"));
            }

            all = state.Instances;
        }

        var (query, error) = ReadListQuery(request, FakeComputeFilter.InstanceField);
        if (error is { } invalid)
        {
            return invalid;
        }

        var matching = all.Where(instance => instance.Zone == zone).Where(query.Keep).ToArray();
        var start = 0;
        if (query.PageToken is { } pageToken)
        {
            if (!FakePageToken.TryReadInstance(pageToken, out var tokenZone, out var name) || tokenZone != zone)
            {
                return InvalidPageToken(pageToken);
            }

            start = StartOf(matching, static i => (i.Zone, i.Name), zone, name);
        }

        var page = matching.Skip(start).Take(query.MaxResults).ToArray();
        var next = start + page.Length < matching.Length ? FakePageToken.ForInstance(matching[start + page.Length]) : null;
        return (StatusCodes.Status200OK,
            FakeComputeJson.InstanceList(project, zone, page.Select(instance => FakeComputeJson.Instance(project, instance)), next));
    }

    private (int, JsonObject) GetInstance(string project, string zone, string name)
    {
        FakeInstance? instance;
        lock (_gate)
        {
            instance = _projects.GetValueOrDefault(project)?.Instances.FirstOrDefault(i => i.Zone == zone && i.Name == name);
        }

        return instance is null
            ? (StatusCodes.Status404NotFound, FakeComputeJson.NotFound($"projects/{project}/zones/{zone}/instances/{name}"))
            : (StatusCodes.Status200OK, FakeComputeJson.Instance(project, instance));
    }

    private (int, JsonObject) ListManagedInstances(HttpRequest request, string project, string region, string group)
    {
        FakeManagedGroup? managed;
        lock (_gate)
        {
            managed = _projects.GetValueOrDefault(project)?.Groups.GetValueOrDefault($"{region}/{group}");
        }

        if (managed is null)
        {
            return (StatusCodes.Status404NotFound, FakeComputeJson.NotFound($"projects/{project}/regions/{region}/instanceGroupManagers/{group}"));
        }

        if (!managed.Paginated)
        {
            return (StatusCodes.Status200OK, FakeComputeJson.ManagedInstances(project, group, managed.Members, null));
        }

        var (query, error) = ReadListQuery(request, FakeComputeFilter.InstanceField);
        if (error is { } invalid)
        {
            return invalid;
        }

        var start = 0;
        if (query.PageToken is { } pageToken
            && (!FakePageToken.TryReadOffset(pageToken, out start) || start > managed.Members.Count))
        {
            return InvalidPageToken(pageToken);
        }

        var page = managed.Members.Skip(start).Take(query.MaxResults).ToArray();
        var next = start + page.Length < managed.Members.Count ? FakePageToken.ForOffset(start + page.Length) : null;
        return (StatusCodes.Status200OK, FakeComputeJson.ManagedInstances(project, group, page, next));
    }

    /// <summary>
    /// <c>maxResults</c> (0–500; absent or 0 means 500, the API's default), <c>pageToken</c> and <c>filter</c>;
    /// a value out of range or a filter the fake cannot read is answered 400 with reason <c>invalid</c>.
    /// </summary>
    private static (ListQuery<T> Query, (int, JsonObject)? Error) ReadListQuery<T>(HttpRequest request, Func<string, Func<T, string?>?> fields)
    {
        var maxResults = DefaultMaxResults;
        if (request.Query["maxResults"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxResults) || maxResults > DefaultMaxResults)
            {
                return (default, (StatusCodes.Status400BadRequest,
                    FakeComputeJson.Invalid($"Invalid value '{text}'. Values must be within the range: [0, {DefaultMaxResults}]")));
            }

            maxResults = maxResults == 0 ? DefaultMaxResults : maxResults;
        }

        var filter = request.Query["filter"].ToString();
        if (!FakeComputeFilter.TryParse(filter, fields, out var keep))
        {
            return (default, (StatusCodes.Status400BadRequest, FakeComputeJson.Invalid($"Invalid value for field 'filter': '{filter}'. Invalid list filter expression.")));
        }

        var pageToken = request.Query["pageToken"].ToString();
        return (new ListQuery<T>(maxResults, pageToken.Length > 0 ? pageToken : null, keep), null);
    }

    private static (int, JsonObject) InvalidPageToken(string pageToken) =>
        (StatusCodes.Status400BadRequest, FakeComputeJson.Invalid($"Invalid value for field 'pageToken': '{pageToken}'. Invalid page token."));

    private static int StartOf<T>(T[] sorted, Func<T, (string Zone, string Name)> key, string zone, string name)
    {
        var index = Array.FindIndex(sorted, item => Compare(key(item), zone, name) >= 0);
        return index < 0 ? sorted.Length : index;
    }

    // ---- OAuth2 token endpoint ----

    private async Task HandleTokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await WriteTokenErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "invalid_request", "The token endpoint takes POST.");
            return;
        }

        var form = context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted)
            : FormCollection.Empty;
        var grantType = form["grant_type"].ToString();
        if (grantType == RefreshTokenGrantType)
        {
            await HandleRefreshTokenAsync(context, form);
            return;
        }

        if (grantType != FakeJwtValidator.JwtBearerGrantType)
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status400BadRequest, "unsupported_grant_type", $"Invalid grant_type: {grantType}");
            return;
        }

        var assertion = form["assertion"].ToString();
        if (assertion.Length == 0)
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Missing required parameter: assertion");
            return;
        }

        if (FakeJwtValidator.Check(assertion, FindKey, TokenUri.ToString(), _time.GetUtcNow()) is { } rejected)
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status400BadRequest, rejected.Error, rejected.Description);
            return;
        }

        await WriteTextAsync(context, StatusCodes.Status200OK, "application/json; charset=utf-8", IssueAccessToken());
    }

    /// <summary>
    /// RFC 6749 section 6 as Google answers it: an unknown client is 401 <c>invalid_client</c>, a wrong secret
    /// 401 <c>invalid_client</c> "Unauthorized", a refresh token the client does not hold 400 <c>invalid_grant</c>.
    /// </summary>
    private async Task HandleRefreshTokenAsync(HttpContext context, IFormCollection form)
    {
        if (!_users.TryGetValue(form["client_id"].ToString(), out var user))
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_client", "The OAuth client was not found.");
            return;
        }

        if (form["client_secret"].ToString() != user.ClientSecret)
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_client", "Unauthorized");
            return;
        }

        if (form["refresh_token"].ToString() != user.RefreshToken)
        {
            await WriteTokenErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_grant", "Bad Request");
            return;
        }

        await WriteTextAsync(context, StatusCodes.Status200OK, "application/json; charset=utf-8", IssueAccessToken());
    }

    private FakeServiceAccountKey? FindKey(string? keyId, string? issuer) =>
        keyId is not null
            ? _keys.GetValueOrDefault(keyId)
            : _keys.Values.FirstOrDefault(key => key.ClientEmail == issuer);

    /// <summary>A new access token, valid for Compute calls for <c>expires_in</c> seconds; the token response body.</summary>
    private string IssueAccessToken()
    {
        var token = "ya29.c.fake-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _accessTokens[token] = _time.GetUtcNow().AddSeconds(TokenLifetimeSeconds);
        return new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = TokenLifetimeSeconds,
            ["token_type"] = "Bearer",
        }.ToJsonString();
    }

    private static Task WriteTokenErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteTextAsync(context, status, "application/json; charset=utf-8",
            new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(FakeComputeJson.Options));

    // ---- GCE metadata server ----

    /// <summary>
    /// The metadata server: every answer carries <c>Metadata-Flavor: Google</c>; requests without that header are
    /// refused 403, except the root, which Google.Apis.Auth's <c>ComputeCredential.IsRunningOnComputeEngine</c>
    /// pings (with the header) and judges by the response header alone. Besides the token, it serves the two other
    /// paths Google.Apis.Auth's ComputeCredential reads: the default service account's email and the universe domain.
    /// </summary>
    private Task HandleMetadataAsync(HttpContext context, string path)
    {
        Interlocked.Increment(ref _metadataRequests);
        context.Response.Headers["Metadata-Flavor"] = "Google";
        const string Text = "application/text";
        if (path == "/")
        {
            return WriteTextAsync(context, StatusCodes.Status200OK, Text, "computeMetadata/\n");
        }

        if (context.Request.Headers["Metadata-Flavor"] != "Google")
        {
            return WriteTextAsync(context, StatusCodes.Status403Forbidden, "text/plain; charset=utf-8",
                "Missing Metadata-Flavor:Google header.\n");
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            return WriteTextAsync(context, StatusCodes.Status405MethodNotAllowed, Text, "Method Not Allowed\n");
        }

        return path switch
        {
            MetadataTokenPath => WriteTextAsync(context, StatusCodes.Status200OK, "application/json", IssueAccessToken()),
            "/computeMetadata/v1/" => WriteTextAsync(context, StatusCodes.Status200OK, Text, "instance/\nproject/\nuniverse/\n"),
            "/computeMetadata/v1/instance/service-accounts/default/email" =>
                WriteTextAsync(context, StatusCodes.Status200OK, Text, "123456789012-compute@developer.gserviceaccount.com"),
            "/computeMetadata/v1/universe/universe-domain" => WriteTextAsync(context, StatusCodes.Status200OK, Text, "googleapis.com"),
            _ => WriteTextAsync(context, StatusCodes.Status404NotFound, "text/plain; charset=utf-8", "Not Found\n"),
        };
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>A list call's <c>maxResults</c>, <c>pageToken</c> and <c>filter</c> (as a predicate on the listed items).</summary>
    private readonly record struct ListQuery<T>(int MaxResults, string? PageToken, Func<T, bool> Keep);
}
