using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Discovery.Tests.Fakes;
using Google.Apis.Auth.OAuth2;

namespace BuzzTalk.Discovery.Tests;

/// <summary>
/// <see cref="FakeGcp"/> answers as the captures in Fakes/Reference/ (copied from shared/reference/gcp/) show:
/// same keys, same value kinds, same texts where the inputs are the same.
/// </summary>
public sealed class FakeGcpTests : IAsyncLifetime
{
    private const string Project = "acme-prod";
    private const string MigUrl = "projects/123456789012/regions/us-central1/instanceGroupManagers/web-mig";
    private const string ComputeContentType = "application/json; charset=UTF-8";

    // The VMs of the captures: web-1, batch-spot-1 and web-mig-7x2k in us-central1-a, web-mig-q9fd in us-central1-b.
    private static readonly FakeInstance[] CapturedInstances =
    [
        new("web-1", "us-central1-a", "4567890123456789012", "10.128.0.12", "34.123.45.67"),
        new("batch-spot-1", "us-central1-a", "18302744951233874405", "10.128.0.40", null, "TERMINATED", Spot: true),
        new("web-mig-7x2k", "us-central1-a", "3429716016725017986", "10.128.0.21", "34.42.10.7", ManagedGroupUrl: MigUrl),
        new("web-mig-q9fd", "us-central1-b", "3558226755390849742", "10.128.0.22", "35.192.7.201", ManagedGroupUrl: MigUrl),
    ];

    private static readonly FakeManagedMember[] CapturedMembers =
    [
        new("web-mig-7x2k", "us-central1-a", "3429716016725017986", "RUNNING"),
        new("web-mig-q9fd", "us-central1-b", "3558226755390849742", "RUNNING"),
        new("web-mig-d81r", "us-central1-c", null, null, "CREATING"),
    ];

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private FakeGcp? _gcp;

    private FakeGcp Gcp => _gcp ?? throw new InvalidOperationException("not started");

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync() => _gcp = await FakeGcp.StartAsync(Ct);

    public async Task DisposeAsync()
    {
        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _http.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Aggregated_pages_have_the_keys_scopes_and_instance_shapes_of_the_captures()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;

        var page1 = await ComputeJsonAsync($"projects/{Project}/aggregated/instances?maxResults=3");
        var page2 = await ComputeJsonAsync($"projects/{Project}/aggregated/instances?maxResults=3&pageToken={Escape(page1["nextPageToken"])}");

        var expected1 = Reference("instances.aggregatedList.page1.json");
        var expected2 = Reference("instances.aggregatedList.page2-last.json");
        foreach (var (expected, actual) in new[] { (expected1, page1), (expected2, page2) })
        {
            Assert.Equal(Keys(expected), Keys(actual));
            Assert.Equal(Keys(expected["items"]!), Keys(actual["items"]!));
            foreach (var key in new[] { "kind", "id", "selfLink" })
            {
                Assert.Equal(expected[key]!.GetValue<string>(), actual[key]!.GetValue<string>());
            }

            foreach (var (scope, expectedScope) in expected["items"]!.AsObject())
            {
                var actualScope = actual["items"]![scope]!;
                if (expectedScope!["warning"] is { } warning)
                {
                    Assert.True(JsonNode.DeepEquals(warning, actualScope["warning"]), $"{scope}: {actualScope.ToJsonString()}");
                    continue;
                }

                var actualByName = actualScope["instances"]!.AsArray().ToDictionary(i => i!["name"]!.GetValue<string>());
                Assert.Equal(Names(expectedScope["instances"]!), actualByName.Keys.Order(StringComparer.Ordinal));
                foreach (var instance in expectedScope["instances"]!.AsArray())
                {
                    AssertCapturedInstance(instance!, actualByName[instance!["name"]!.GetValue<string>()]!);
                }
            }
        }

        Assert.IsType<string>(page1["nextPageToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task Aggregated_list_pages_visit_every_instance_once()
    {
        string[] zones = ["europe-west1-b", "us-central1-a", "us-central1-b", "us-east1-c"];
        var instances = Enumerable.Range(0, 1234)
            .Select(i => new FakeInstance($"vm-{i:D4}", zones[i % zones.Length], $"{1000 + i}", $"10.0.{i / 250}.{i % 250}", null))
            .ToArray();
        Gcp.SetInstances("big", instances);
        Gcp.AddEmptyZone("big", "asia-east1-a");
        var token = await MetadataTokenAsync();

        var seen = new List<string>();
        var pages = await WalkAggregatedAsync("big", 100, token, page =>
        {
            foreach (var (_, scope) in page["items"]!.AsObject())
            {
                seen.AddRange(scope!["instances"]?.AsArray().Select(i => i!["name"]!.GetValue<string>()) ?? []);
            }
        });

        Assert.Equal(13, pages);
        Assert.Equal(instances.Length, seen.Count);
        Assert.Equal(instances.Select(i => i.Name).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Five_thousand_instances_over_three_zones_in_pages_of_500_give_ten_pages()
    {
        string[] zones = ["us-central1-a", "us-central1-b", "us-central1-c"];
        Gcp.SetInstances(Project, Enumerable.Range(0, 5000)
            .Select(i => new FakeInstance($"chat-{i:D4}", zones[i % 3], $"{7_000_000 + i}", $"10.1.{i / 250}.{i % 250}", $"34.0.{i / 250}.{i % 250}")));
        var token = await MetadataTokenAsync();

        var count = 0;
        var pages = await WalkAggregatedAsync(Project, 500, token, page =>
        {
            var onPage = page["items"]!.AsObject().Sum(scope => scope.Value!["instances"]?.AsArray().Count ?? 0);
            Assert.Equal(500, onPage);
            count += onPage;
        });

        Assert.Equal(10, pages);
        Assert.Equal(5000, count);
        Assert.Equal(10, Gcp.ComputeRequests);
    }

    [Fact]
    public async Task An_empty_zone_carries_the_no_results_warning_of_the_captures()
    {
        Gcp.SetInstances(Project, [CapturedInstances[0]]);
        Gcp.AddEmptyZone(Project, "asia-east1-a");
        Gcp.RequireAuthorization = false;

        var page = await ComputeJsonAsync($"projects/{Project}/aggregated/instances");

        var expected = Reference("instances.aggregatedList.page1.json")["items"]!["zones/asia-east1-a"];
        Assert.True(JsonNode.DeepEquals(expected, page["items"]!["zones/asia-east1-a"]), page.ToJsonString());
        Assert.Equal(["zones/asia-east1-a", "zones/us-central1-a"], Keys(page["items"]!));
        Assert.Null(page["nextPageToken"]);
    }

    [Fact]
    public async Task Zone_lists_and_get_have_the_shapes_of_the_captures()
    {
        SeedCapturedProject();
        Gcp.AddEmptyZone(Project, "europe-west1-b");
        Gcp.RequireAuthorization = false;

        var list = await ComputeJsonAsync($"projects/{Project}/zones/us-central1-a/instances");
        var empty = await ComputeJsonAsync($"projects/{Project}/zones/europe-west1-b/instances");
        var get = await ComputeJsonAsync($"projects/{Project}/zones/us-central1-a/instances/web-1");

        var expectedList = Reference("instances.list.json");
        Assert.Equal(Keys(expectedList), Keys(list));
        var byName = list["items"]!.AsArray().ToDictionary(i => i!["name"]!.GetValue<string>());
        Assert.Equal(Names(expectedList["items"]!), byName.Keys.Order(StringComparer.Ordinal));
        foreach (var instance in expectedList["items"]!.AsArray())
        {
            AssertCapturedInstance(instance!, byName[instance!["name"]!.GetValue<string>()]!);
        }

        Assert.True(JsonNode.DeepEquals(Reference("instances.list.empty.json"), empty), empty.ToJsonString());
        AssertCapturedInstance(Reference("instance.get.json"), get);
    }

    [Fact]
    public async Task A_missing_instance_answers_the_404_of_the_capture()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;

        using var response = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances/web-9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ComputeContentType, response.Content.Headers.ContentType?.ToString());
        var body = await JsonBodyAsync(response);
        Assert.True(JsonNode.DeepEquals(Reference("error.404.json"), body), body.ToJsonString());
    }

    [Fact]
    public async Task An_injected_403_answers_the_body_of_the_capture_once()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;
        Gcp.FailNext(403);

        using var failed = await ComputeAsync($"projects/{Project}/aggregated/instances");
        using var next = await ComputeAsync($"projects/{Project}/aggregated/instances");

        Assert.Equal(HttpStatusCode.Forbidden, failed.StatusCode);
        var body = await JsonBodyAsync(failed);
        Assert.True(JsonNode.DeepEquals(Reference("error.403.json"), body), body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData(429, "rateLimitExceeded", "RESOURCE_EXHAUSTED")]
    [InlineData(500, "backendError", null)]
    [InlineData(503, "backendError", null)]
    public async Task Injected_failures_answer_google_error_bodies(int status, string reason, string? googleStatus)
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;
        Gcp.FailNext(status, count: 2);

        using var first = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances");
        using var second = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances");
        using var third = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances");

        Assert.Equal([status, status, 200], new[] { first, second, third }.Select(r => (int)r.StatusCode));
        Assert.Equal(ComputeContentType, first.Content.Headers.ContentType?.ToString());
        var error = (await JsonBodyAsync(first))["error"]!;
        Assert.Equal(status, error["code"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        var item = Assert.Single(error["errors"]!.AsArray())!;
        Assert.Equal(["domain", "message", "reason"], Keys(item));
        Assert.Equal(("global", reason), (item["domain"]!.GetValue<string>(), item["reason"]!.GetValue<string>()));
        Assert.Equal(googleStatus, error["status"]?.GetValue<string>());
        Assert.Equal(status == 429 ? "1" : null, first.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Fail_always_lasts_until_recover()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;
        Gcp.FailAlways(503);

        var during = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances/web-1");
            during.Add(response.StatusCode);
        }

        Gcp.Recover();
        using var after = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances/web-1");

        Assert.All(during, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_pageless_managed_group_answers_every_member_as_the_capture()
    {
        Gcp.SetManagedGroup(Project, "us-central1", "web-mig", CapturedMembers);
        Gcp.RequireAuthorization = false;

        // PAGELESS groups ignore maxResults and pageToken.
        var body = await ComputeJsonAsync($"projects/{Project}/regions/us-central1/instanceGroupManagers/web-mig/listManagedInstances?maxResults=1", HttpMethod.Post);

        var expected = Reference("regionInstanceGroupManagers.listManagedInstances.json");
        Assert.Equal(Keys(expected), Keys(body));
        var members = body["managedInstances"]!.AsArray();
        Assert.Equal(3, members.Count);
        foreach (var (want, got) in expected["managedInstances"]!.AsArray().Zip(members))
        {
            AssertSameShape(want, got, "managedInstances[]");
            foreach (var key in new[] { "instance", "id", "instanceStatus", "currentAction", "name", "lastAttempt" })
            {
                Assert.True(JsonNode.DeepEquals(want![key], got![key]), $"{key}: {got[key]?.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task A_paginated_managed_group_pages_as_the_capture()
    {
        Gcp.SetManagedGroup(Project, "us-central1", "web-mig", CapturedMembers, paginated: true);
        var token = await MetadataTokenAsync();
        var path = $"projects/{Project}/regions/us-central1/instanceGroupManagers/web-mig/listManagedInstances?maxResults=1";

        var names = new List<string>();
        var pages = new List<JsonNode>();
        string? pageToken = null;
        do
        {
            var page = await ComputeJsonAsync(pageToken is null ? path : $"{path}&pageToken={Uri.EscapeDataString(pageToken)}", HttpMethod.Post, token);
            pages.Add(page);
            names.AddRange(page["managedInstances"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()));
            pageToken = page["nextPageToken"]?.GetValue<string>();
        }
        while (pageToken is not null && pages.Count < 10);

        Assert.Equal(Keys(Reference("regionInstanceGroupManagers.listManagedInstances.paginated-page1.json")), Keys(pages[0]));
        Assert.Equal(["managedInstances"], Keys(pages[^1]));
        Assert.Equal(CapturedMembers.Select(m => m.Name), names);
    }

    [Fact]
    public async Task An_unknown_managed_group_answers_404()
    {
        Gcp.RequireAuthorization = false;
        Gcp.SetInstances(Project, []);

        using var response = await ComputeAsync($"projects/{Project}/regions/us-central1/instanceGroupManagers/nope/listManagedInstances", HttpMethod.Post);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("The resource 'projects/acme-prod/regions/us-central1/instanceGroupManagers/nope' was not found",
            (await JsonBodyAsync(response))["error"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("maxResults=501")]
    [InlineData("maxResults=-1")]
    [InlineData("pageToken=garbled")]
    [InlineData("pageToken=Zm9vYmFy")]
    [InlineData("filter=cpuPlatform%20%3D%20x")]
    public async Task Out_of_range_page_sizes_garbled_tokens_and_unknown_filters_are_invalid(string query)
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;

        using var response = await ComputeAsync($"projects/{Project}/aggregated/instances?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonBodyAsync(response))["error"]!;
        Assert.Equal(400, error["code"]!.GetValue<int>());
        Assert.Equal("invalid", error["errors"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_status_filter_keeps_only_matching_instances()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;

        var page = await ComputeJsonAsync($"projects/{Project}/aggregated/instances?filter={Uri.EscapeDataString("status = RUNNING")}");

        var names = page["items"]!.AsObject()
            .SelectMany(scope => scope.Value!["instances"]?.AsArray() ?? [])
            .Select(i => i!["name"]!.GetValue<string>());
        Assert.Equal(["web-1", "web-mig-7x2k", "web-mig-q9fd"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Compute_calls_need_a_bearer_token_the_fake_issued()
    {
        SeedCapturedProject();
        var path = $"projects/{Project}/zones/us-central1-a/instances/web-1";

        using var missing = await ComputeAsync(path);
        using var unknown = await ComputeAsync(path, token: "ya29.not-issued-here");
        using var issued = await ComputeAsync(path, token: await MetadataTokenAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal("Bearer", Assert.Single(missing.Headers.WwwAuthenticate).Scheme);
        foreach (var (response, reason) in new[] { (missing, "required"), (unknown, "authError") })
        {
            var error = (await JsonBodyAsync(response))["error"]!;
            Assert.Equal(["code", "errors", "message", "status"], Keys(error));
            Assert.Equal((401, "UNAUTHENTICATED"), (error["code"]!.GetValue<int>(), error["status"]!.GetValue<string>()));
            var item = Assert.Single(error["errors"]!.AsArray())!;
            Assert.Equal(["domain", "location", "locationType", "message", "reason"], Keys(item));
            Assert.Equal(("global", reason, "Authorization", "header"), (item["domain"]!.GetValue<string>(),
                item["reason"]!.GetValue<string>(), item["location"]!.GetValue<string>(), item["locationType"]!.GetValue<string>()));
        }

        Assert.StartsWith("Request is missing required authentication credential.", (await JsonBodyAsync(missing))["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_account_key_file_has_the_fields_of_a_real_one()
    {
        var key = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!.AsObject();

        Assert.Equal(
            ["type", "project_id", "private_key_id", "private_key", "client_email", "client_id", "auth_uri", "token_uri",
                "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"],
            key.Select(property => property.Key));
        Assert.All(key, property => Assert.Equal(JsonValueKind.String, property.Value!.GetValueKind()));
        Assert.Equal("service_account", key["type"]!.GetValue<string>());
        Assert.Equal(Project, key["project_id"]!.GetValue<string>());
        Assert.Equal(Gcp.TokenUri.ToString(), key["token_uri"]!.GetValue<string>());
        Assert.EndsWith($"@{Project}.iam.gserviceaccount.com", key["client_email"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", key["private_key"]!.GetValue<string>(), StringComparison.Ordinal);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key["private_key"]!.GetValue<string>());
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public async Task The_token_endpoint_accepts_a_jwt_signed_with_the_key_file_and_its_token_opens_compute()
    {
        SeedCapturedProject();
        var key = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!.AsObject();
        using var rsa = PrivateKey(key);

        using var response = await ExchangeAsync(SignJwt(rsa, key["private_key_id"]!.GetValue<string>(), Claims(key)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await JsonBodyAsync(response);
        Assert.Equal(["access_token", "expires_in", "token_type"], Keys(body));
        Assert.Equal((3599, "Bearer"), (body["expires_in"]!.GetValue<int>(), body["token_type"]!.GetValue<string>()));
        using var compute = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances/web-1", token: body["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, compute.StatusCode);
        Assert.Equal(1, Gcp.TokenRequests);
    }

    [Fact]
    public async Task The_token_endpoint_rejects_a_jwt_signed_with_another_key()
    {
        var key = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!.AsObject();
        using var other = RSA.Create(2048);

        using var response = await ExchangeAsync(SignJwt(other, key["private_key_id"]!.GetValue<string>(), Claims(key)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonBodyAsync(response);
        Assert.Equal(["error", "error_description"], Keys(body));
        Assert.Equal(("invalid_grant", "Invalid JWT Signature."), (body["error"]!.GetValue<string>(), body["error_description"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("audience", "invalid_grant")]
    [InlineData("lifetime", "invalid_grant")]
    [InlineData("expired", "invalid_grant")]
    [InlineData("issuer", "invalid_grant")]
    [InlineData("algorithm", "invalid_grant")]
    [InlineData("unknown-kid", "invalid_grant")]
    [InlineData("no-scope", "invalid_scope")]
    public async Task The_token_endpoint_rejects_a_jwt_with_bad_claims(string flaw, string error)
    {
        var key = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!.AsObject();
        using var rsa = PrivateKey(key);
        var keyId = key["private_key_id"]!.GetValue<string>();
        var claims = Claims(key);
        var algorithm = "RS256";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (flaw)
        {
            case "audience":
                claims["aud"] = "https://example.com/token";
                break;
            case "lifetime":
                claims["exp"] = now + 3601;
                break;
            case "expired":
                (claims["iat"], claims["exp"]) = (now - 7200, now - 3600);
                break;
            case "issuer":
                claims["iss"] = $"someone-else@{Project}.iam.gserviceaccount.com";
                break;
            case "algorithm":
                algorithm = "RS512";
                break;
            case "unknown-kid":
                keyId = "0123456789abcdef";
                break;
            default:
                claims.Remove("scope");
                break;
        }

        using var response = await ExchangeAsync(SignJwt(rsa, keyId, claims, algorithm));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await JsonBodyAsync(response))["error"]!.GetValue<string>());
        Assert.Empty(Gcp.ComputeRequestLog);
    }

    [Fact]
    public async Task The_token_endpoint_rejects_another_grant_type()
    {
        using var content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("assertion", "x.y.z")]);
        using var response = await _http.PostAsync(Gcp.TokenUri, content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", (await JsonBodyAsync(response))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_metadata_server_refuses_a_request_without_the_flavor_header()
    {
        using var response = await _http.GetAsync(Gcp.MetadataTokenUri, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Google", Assert.Single(response.Headers.GetValues("Metadata-Flavor")));
        Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, Gcp.MetadataRequests);
    }

    [Fact]
    public async Task The_metadata_token_has_the_documented_answer_and_opens_compute()
    {
        SeedCapturedProject();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Gcp.MetadataTokenUri + "?scopes=https://www.googleapis.com/auth/compute.readonly"));
        request.Headers.Add("Metadata-Flavor", "Google");

        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Google", Assert.Single(response.Headers.GetValues("Metadata-Flavor")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        var body = await JsonBodyAsync(response);
        Assert.Equal(["access_token", "expires_in", "token_type"], Keys(body));
        using var compute = await ComputeAsync($"projects/{Project}/aggregated/instances", token: body["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, compute.StatusCode);
    }

    [Fact]
    public async Task Google_apis_auth_service_account_credential_gets_a_token_the_fake_accepts()
    {
        SeedCapturedProject();
        var key = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!.AsObject();
        var credential = new ServiceAccountCredential(
            new ServiceAccountCredential.Initializer(key["client_email"]!.GetValue<string>(), key["token_uri"]!.GetValue<string>())
            {
                KeyId = key["private_key_id"]!.GetValue<string>(),
                Scopes = ["https://www.googleapis.com/auth/compute.readonly"],
            }.FromPrivateKey(key["private_key"]!.GetValue<string>()));

        var token = await credential.GetAccessTokenForRequestAsync(Gcp.ComputeBaseUrl.ToString(), Ct);

        using var compute = await ComputeAsync($"projects/{Project}/aggregated/instances", token: token);
        Assert.Equal(HttpStatusCode.OK, compute.StatusCode);
        Assert.Equal(1, Gcp.TokenRequests);
    }

    [Fact]
    public async Task Google_apis_auth_compute_credential_gets_a_token_the_fake_accepts()
    {
        SeedCapturedProject();
        var credential = GoogleCredential
            .FromComputeCredential(new ComputeCredential(new ComputeCredential.Initializer(Gcp.MetadataTokenUri.ToString())))
            .CreateScoped("https://www.googleapis.com/auth/compute.readonly");

        var token = await credential.UnderlyingCredential.GetAccessTokenForRequestAsync(Gcp.ComputeBaseUrl.ToString(), Ct);

        using var compute = await ComputeAsync($"projects/{Project}/aggregated/instances", token: token);
        Assert.Equal(HttpStatusCode.OK, compute.StatusCode);
        Assert.Equal(1, Gcp.MetadataRequests);
    }

    [Fact]
    public async Task The_compute_delay_holds_answers_and_an_aborted_call_leaves_the_fake_serving()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;
        var path = $"projects/{Project}/zones/us-central1-a/instances/web-1";

        Gcp.ComputeDelay = TimeSpan.FromMilliseconds(300);
        var watch = Stopwatch.StartNew();
        using (var slow = await ComputeAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {watch.Elapsed}");

        Gcp.ComputeDelay = TimeSpan.FromMinutes(5);
        using (var abort = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            abort.CancelAfter(TimeSpan.FromMilliseconds(200));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Gcp.ComputeBaseUrl, path));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _http.SendAsync(request, abort.Token));
        }

        Gcp.ComputeDelay = TimeSpan.Zero;
        using var fast = await ComputeAsync(path);
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
    }

    [Fact]
    public async Task The_request_log_lists_compute_calls_in_order_with_their_query()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;

        var page1 = await ComputeJsonAsync($"projects/{Project}/aggregated/instances?maxResults=3");
        var pageToken = Escape(page1["nextPageToken"]);
        await ComputeJsonAsync($"projects/{Project}/aggregated/instances?maxResults=3&pageToken={pageToken}");
        using var unknown = await ComputeAsync($"projects/{Project}/zones/us-central1-a/instances/web-9");

        Assert.Equal(
            [
                $"GET /compute/v1/projects/{Project}/aggregated/instances?maxResults=3",
                $"GET /compute/v1/projects/{Project}/aggregated/instances?maxResults=3&pageToken={pageToken}",
                $"GET /compute/v1/projects/{Project}/zones/us-central1-a/instances/web-9",
            ],
            Gcp.ComputeRequestLog);
        Assert.Equal((3, 0, 0), (Gcp.ComputeRequests, Gcp.TokenRequests, Gcp.MetadataRequests));
    }

    [Fact]
    public async Task Aggregated_operations_have_the_keys_and_shapes_of_googles_documented_answer()
    {
        SeedCapturedProject();
        Gcp.RequireAuthorization = false;
        var operation = Gcp.Preempt(Project, CapturedInstances[2]); // web-mig-7x2k in us-central1-a

        var page = await ComputeJsonAsync($"projects/{Project}/aggregated/operations?filter={Uri.EscapeDataString("operationType=\"compute.instances.preempted\"")}&maxResults=500&returnPartialSuccess=true");

        var expected = Reference("operations.aggregatedList.json");
        Assert.Equal(Keys(expected), Keys(page));
        foreach (var key in new[] { "kind", "id", "selfLink" })
        {
            Assert.Equal(expected[key]!.GetValue<string>(), page[key]!.GetValue<string>());
        }

        // Every zone of the project is a scope; those without operations carry only the warning.
        Assert.Equal(["zones/asia-east1-a", "zones/us-central1-a", "zones/us-central1-b", "zones/us-central1-c"], Keys(page["items"]!));
        Assert.True(JsonNode.DeepEquals(expected["items"]!["zones/us-central1-b"], page["items"]!["zones/us-central1-b"]), page.ToJsonString());
        var wanted = expected["items"]!["zones/us-central1-a"]!["operations"]![0]!;
        var actual = Assert.Single(page["items"]!["zones/us-central1-a"]!["operations"]!.AsArray())!;
        Assert.Equal(wanted.AsObject().Select(p => p.Key), actual.AsObject().Select(p => p.Key)); // the documented order
        AssertSameShape(wanted, actual, "operations[]");
        foreach (var key in new[] { "kind", "zone", "operationType", "targetLink", "targetId", "status", "user", "progress" })
        {
            Assert.True(JsonNode.DeepEquals(wanted[key], actual[key]), $"{key}: {actual[key]?.ToJsonString()}");
        }

        Assert.Equal(operation.Name, actual["name"]!.GetValue<string>());
        Assert.StartsWith("systemevent-", operation.Name, StringComparison.Ordinal);
        Assert.EndsWith($"/zones/us-central1-a/operations/{operation.Name}", actual["selfLink"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-08:00$", actual["insertTime"]!.GetValue<string>());
        Assert.Equal(operation.InsertTime!.Value.ToUnixTimeMilliseconds(),
            DateTimeOffset.Parse(actual["insertTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Aggregated_operations_page_by_zone_and_name_and_filter_by_operation_type()
    {
        Gcp.SetInstances(Project, CapturedInstances);
        Gcp.AddEmptyZone(Project, "asia-east1-a");
        var token = await MetadataTokenAsync();
        var preempted = CapturedInstances.Select(instance => Gcp.Preempt(Project, instance).Name).ToList();
        Gcp.AddOperation(Project, new FakeOperation("us-central1-a", "operation-1796458354567-stop", "web-1", CapturedInstances[0].Id,
            DateTimeOffset.UtcNow, "compute.instances.stop"));
        var filter = Uri.EscapeDataString("operationType=\"compute.instances.preempted\"");

        var names = new List<string>();
        var warnings = 0;
        var pages = 0;
        string? pageToken = null;
        do
        {
            var page = await ComputeJsonAsync(
                $"projects/{Project}/aggregated/operations?filter={filter}&maxResults=2&returnPartialSuccess=true" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken)),
                token: token);
            foreach (var (_, scope) in page["items"]!.AsObject())
            {
                names.AddRange(scope!["operations"]?.AsArray().Select(o => o!["name"]!.GetValue<string>()) ?? []);
                warnings += scope["warning"] is null ? 0 : 1;
            }

            pages++;
            pageToken = page["nextPageToken"]?.GetValue<string>();
        }
        while (pageToken is not null && pages < 10);

        Assert.Equal(2, pages);
        Assert.Equal(preempted.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.True(warnings > 0);

        using var unknownField = await ComputeAsync($"projects/{Project}/aggregated/operations?filter={Uri.EscapeDataString("targetLink = x")}", token: token);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        using var instanceToken = await ComputeAsync($"projects/{Project}/aggregated/operations?pageToken={Uri.EscapeDataString(FakePageToken.ForInstance(CapturedInstances[0]))}", token: token);
        Assert.Equal(HttpStatusCode.BadRequest, instanceToken.StatusCode);
    }

    private void SeedCapturedProject()
    {
        Gcp.SetInstances(Project, CapturedInstances);
        Gcp.AddEmptyZone(Project, "asia-east1-a");
        Gcp.AddEmptyZone(Project, "us-central1-c");
    }

    private static JsonObject Reference(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fakes", "Reference", name)))!.AsObject();

    private static string[] Keys(JsonNode node) => [.. node.AsObject().Select(property => property.Key).Order(StringComparer.Ordinal)];

    private static IEnumerable<string> Names(JsonNode instances) =>
        instances.AsArray().Select(i => i!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal);

    private static string Escape(JsonNode? token) => Uri.EscapeDataString(token!.GetValue<string>());

    /// <summary>Same keys and value kinds as the capture, and the same values wherever the fake got the same inputs.</summary>
    private static void AssertCapturedInstance(JsonNode expected, JsonNode actual)
    {
        AssertSameShape(expected, actual, actual["name"]!.GetValue<string>());
        foreach (var key in new[] { "kind", "id", "name", "status", "zone", "selfLink", "networkInterfaces", "scheduling", "tags" })
        {
            Assert.True(JsonNode.DeepEquals(expected[key], actual[key]), $"{key}: {actual[key]?.ToJsonString()}");
        }

        var createdBy = actual["metadata"]!["items"]!.AsArray().FirstOrDefault(item => item!["key"]!.GetValue<string>() == "created-by");
        var expectedCreatedBy = expected["metadata"]!["items"]!.AsArray().FirstOrDefault(item => item!["key"]!.GetValue<string>() == "created-by");
        Assert.True(JsonNode.DeepEquals(expectedCreatedBy, createdBy));
    }

    private static void AssertSameShape(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject wanted:
                var got = Assert.IsType<JsonObject>(actual);
                if (path.EndsWith(".labels", StringComparison.Ordinal))
                {
                    Assert.All(got, label => Assert.Equal(JsonValueKind.String, label.Value!.GetValueKind()));
                    return;
                }

                Assert.Equal($"{path}: {string.Join(',', Keys(wanted))}", $"{path}: {string.Join(',', Keys(got))}");
                foreach (var (key, value) in wanted)
                {
                    AssertSameShape(value, got[key], $"{path}.{key}");
                }

                break;
            case JsonArray wanted:
                var array = Assert.IsType<JsonArray>(actual);
                Assert.Equal(wanted.Count > 0, array.Count > 0);
                if (wanted.Count > 0)
                {
                    AssertSameShape(wanted[0], array[0], path + "[0]");
                }

                break;
            default:
                Assert.Equal($"{path}: {expected?.GetValueKind()}", $"{path}: {actual?.GetValueKind()}");
                break;
        }
    }

    private async Task<HttpResponseMessage> ComputeAsync(string relative, HttpMethod? method = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(Gcp.ComputeBaseUrl, relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (request.Method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent([]);
        }

        return await _http.SendAsync(request, Ct);
    }

    private async Task<JsonObject> ComputeJsonAsync(string relative, HttpMethod? method = null, string? token = null)
    {
        using var response = await ComputeAsync(relative, method, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ComputeContentType, response.Content.Headers.ContentType?.ToString());
        return await JsonBodyAsync(response);
    }

    private async Task<JsonObject> JsonBodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();

    /// <summary>Walks every page of the aggregated list; returns the number of pages.</summary>
    private async Task<int> WalkAggregatedAsync(string project, int maxResults, string token, Action<JsonObject> onPage)
    {
        var pages = 0;
        string? pageToken = null;
        do
        {
            var query = $"maxResults={maxResults}&returnPartialSuccess=true" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var page = await ComputeJsonAsync($"projects/{project}/aggregated/instances?{query}", token: token);
            onPage(page);
            pages++;
            pageToken = page["nextPageToken"]?.GetValue<string>();
        }
        while (pageToken is not null && pages < 1000);

        return pages;
    }

    private async Task<string> MetadataTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Gcp.MetadataTokenUri);
        request.Headers.Add("Metadata-Flavor", "Google");
        using var response = await _http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return (await JsonBodyAsync(response))["access_token"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> ExchangeAsync(string assertion)
    {
        using var content = new FormUrlEncodedContent(
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            new("assertion", assertion),
        ]);
        return await _http.PostAsync(Gcp.TokenUri, content, Ct);
    }

    private static RSA PrivateKey(JsonObject key)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(key["private_key"]!.GetValue<string>());
        return rsa;
    }

    private JsonObject Claims(JsonObject key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = key["client_email"]!.GetValue<string>(),
            ["scope"] = "https://www.googleapis.com/auth/compute.readonly",
            ["aud"] = Gcp.TokenUri.ToString(),
            ["iat"] = now,
            ["exp"] = now + 3600,
        };
    }

    private static string SignJwt(RSA rsa, string keyId, JsonObject claims, string algorithm = "RS256")
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT", ["kid"] = keyId };
        var signed = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url.EncodeToString(signature)}";
    }
}
