using System.Net;
using System.Text.Json;

namespace BuzzTalk.Fleet.Inventory;

/// <summary>
/// Reads Discovery's http_sd endpoint (the same JSON Prometheus reads) instead of asking the
/// cloud itself. Answers are cached briefly; when Discovery cannot be read, the last good list is
/// used, so a Discovery restart never makes the fleet look empty.
/// </summary>
public sealed class HttpSdInventory(HttpClient http, Uri endpoint, TimeSpan cacheFor, TimeProvider? time = null) : IInventory, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<FleetInstance>? _last;
    private DateTimeOffset _fetched;

    public async Task<IReadOnlyList<FleetInstance>> GetAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is not null && _time.GetUtcNow() - _fetched < cacheFor)
            {
                return _last;
            }

            try
            {
                _last = await FetchAsync(cancellationToken).ConfigureAwait(false);
                _fetched = _time.GetUtcNow();
            }
            catch (Exception ex) when (_last is not null && ex is HttpRequestException or JsonException or InvalidDataException or TaskCanceledException)
            {
                // Keep serving the last good list; the next call tries again.
            }

            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<IReadOnlyList<FleetInstance>> FetchAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(endpoint, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{endpoint} answered {(int)response.StatusCode}.", null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return Parse(await JsonSerializer.DeserializeAsync(body, TargetGroupJsonContext.Default.ListTargetGroup, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Instances from target groups; a group without the inventory labels is an error, not skipped.</summary>
    public static IReadOnlyList<FleetInstance> Parse(List<TargetGroup>? groups) =>
        [.. (groups ?? throw new InvalidDataException("The inventory is null, not a list of target groups."))
            .Select(g => InventoryLabels.Parse(g.Labels) ?? throw new InvalidDataException(
                $"Target group {string.Join(",", g.Targets)} lacks the {InventoryLabels.InstanceName} and {InventoryLabels.PublicIp} labels."))];
}
