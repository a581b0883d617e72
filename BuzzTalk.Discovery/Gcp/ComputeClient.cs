using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BuzzTalk.Discovery.Configuration;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// The few Compute Engine v1 calls Discovery makes, over plain HTTP (no Compute SDK package is
/// available). Retries, backoff and per-attempt timeouts come from the HttpClient's resilience
/// handler, gzip from its primary handler (see <c>AddDiscovery</c>). List answers are read page by
/// page and handed out as they come: a refresh never holds every page's JSON model at once.
/// </summary>
public sealed class ComputeClient(HttpClient http, IAccessTokenSource tokens, IOptions<DiscoveryOptions> options)
{
    /// <summary>
    /// Google compresses an answer only when the request accepts gzip and its User-Agent contains "gzip"
    /// (Google APIs performance tips); the handler sends <c>Accept-Encoding</c> and decompresses.
    /// </summary>
    public const string UserAgent = "BuzzTalk.Discovery (gzip)";

    /// <summary>The <c>operationType</c> of the zone operation Compute Engine records for each preemption.</summary>
    public const string PreemptedOperationType = "compute.instances.preempted";

    private GcpOptions Gcp => options.Value.Gcp;

    /// <summary>Every instance of the project, all pages of <c>instances.aggregatedList</c>, one page at a time.</summary>
    public IAsyncEnumerable<ComputeInstance> ListAllInstancesAsync(string project, CancellationToken cancellationToken) =>
        ListAggregatedAsync<InstanceAggregatedList, ComputeInstance>($"projects/{Segment(project)}/aggregated/instances", filter: null,
            partialSuccess: false, DiscoveryJsonContext.Default.InstanceAggregatedList, cancellationToken);

    /// <summary>
    /// Every <see cref="PreemptedOperationType"/> operation Compute Engine keeps for the project, all pages of
    /// <c>globalOperations.aggregatedList</c> filtered by Google, one page at a time (as Google documents detecting a
    /// preemption: <c>gcloud compute operations list --filter="operationType=compute.instances.preempted"</c>). An
    /// unreachable zone leaves its operations out instead of failing the call (<c>returnPartialSuccess</c>): the
    /// preemption watch is a shortcut, the refresh stays the authority.
    /// </summary>
    public IAsyncEnumerable<ComputeOperation> ListPreemptionsAsync(string project, CancellationToken cancellationToken) =>
        ListAggregatedAsync<OperationAggregatedList, ComputeOperation>($"projects/{Segment(project)}/aggregated/operations",
            $"operationType=\"{PreemptedOperationType}\"", partialSuccess: true, DiscoveryJsonContext.Default.OperationAggregatedList, cancellationToken);

    /// <summary>Members of a regional managed instance group, all pages (a PAGELESS group answers once).</summary>
    public async Task<List<ManagedInstance>> ListManagedInstancesAsync(string project, string region, string group, CancellationToken cancellationToken)
    {
        var members = new List<ManagedInstance>();
        string? pageToken = null;
        do
        {
            var query = $"maxResults={Gcp.PageSize.ToString(CultureInfo.InvariantCulture)}"
                + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var page = await SendAsync(HttpMethod.Post,
                $"projects/{Segment(project)}/regions/{Segment(region)}/instanceGroupManagers/{Segment(group)}/listManagedInstances?{query}",
                DiscoveryJsonContext.Default.ManagedInstanceList, cancellationToken).ConfigureAwait(false);
            members.AddRange(page.ManagedInstances ?? []);
            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));

        return members;
    }

    public Task<ComputeInstance> GetInstanceAsync(string project, string zone, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"projects/{Segment(project)}/zones/{Segment(zone)}/instances/{Segment(name)}",
            DiscoveryJsonContext.Default.ComputeInstance, cancellationToken);

    /// <summary>All pages of an <c>aggregatedList</c> call, one page at a time, items as each page is read.</summary>
    private async IAsyncEnumerable<TItem> ListAggregatedAsync<TPage, TItem>(string path, string? filter, bool partialSuccess, JsonTypeInfo<TPage> type,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TPage : IAggregatedPage<TItem>
    {
        string? pageToken = null;
        do
        {
            var query = (filter is null ? "" : $"filter={Uri.EscapeDataString(filter)}&")
                + $"maxResults={Gcp.PageSize.ToString(CultureInfo.InvariantCulture)}&returnPartialSuccess={(partialSuccess ? "true" : "false")}"
                + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var page = await SendAsync(HttpMethod.Get, $"{path}?{query}", type, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.PageItems())
            {
                yield return item;
            }

            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <summary>
    /// One call. A 401 means the cached token was revoked or rotated before its expiry: it is discarded and
    /// the call made once more with a new one; a second 401 fails the call.
    /// </summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string relative, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var uri = new Uri(Gcp.ApiBaseUrl, relative);
        for (var attempt = 1; ; attempt++)
        {
            var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (method == HttpMethod.Post)
            {
                request.Content = new ByteArrayContent([]);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                tokens.Invalidate(token);
                continue;
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, body, cancellationToken).ConfigureAwait(false);
            }

            return await JsonSerializer.DeserializeAsync(body, type, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"Compute API answered null for {relative}.");
        }
    }

    private static async Task<ComputeApiException> ErrorAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        ComputeError? error = null;
        try
        {
            error = (await JsonSerializer.DeserializeAsync(body, DiscoveryJsonContext.Default.ComputeErrorResponse, cancellationToken).ConfigureAwait(false))?.Error;
        }
        catch (JsonException)
        {
            // Not Google's error shape (a proxy's page, say): the status alone tells enough.
        }

        return new ComputeApiException(response.StatusCode, error?.Errors?.FirstOrDefault()?.Reason ?? error?.Status,
            error?.Message ?? response.ReasonPhrase ?? "no error body");
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
