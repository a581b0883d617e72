using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// Posts messages to the configured Discord webhook through the named client
/// <see cref="HttpClientName"/> (the ServiceDefaults resilience, retrying only unreachable
/// Discord). A 429 is waited out once when its <c>retry_after</c> is short enough. Failures are
/// described without the URL, which holds the webhook's token.
/// </summary>
public sealed class DiscordClient(
    IHttpClientFactory http,
    IOptions<DiscordOptions> options,
    ScalerMetrics metrics,
    TimeProvider time,
    ILogger<DiscordClient> logger)
{
    public const string HttpClientName = "discord";
    public const string AlertKind = "alert";
    public const string DecisionKind = "decision";

    /// <summary>Marks requests whose URL is a secret, so tracing leaves them out.</summary>
    public static readonly HttpRequestOptionsKey<bool> SecretUrl = new("BuzzTalk.Scaler.SecretUrl");

    public bool IsConfigured => options.Value.IsConfigured;

    /// <summary>Null when Discord took the message, else why not (never the URL). Counted and logged.</summary>
    public async Task<string?> SendAsync(DiscordMessage message, string kind, CancellationToken cancellationToken)
    {
        var failure = await TrySendAsync(message, kind, cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            metrics.NotificationSent(kind);
        }
        else
        {
            metrics.NotificationFailed(kind);
            ScalerLog.DiscordFailed(logger, kind, failure);
        }

        return failure;
    }

    private async Task<string?> TrySendAsync(DiscordMessage message, string kind, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.IsConfigured || !Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var url))
        {
            return "Discord is not configured";
        }

        using var client = http.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(message, DiscordJsonContext.Default.DiscordMessage),
            };
            request.Options.Set(SecretUrl, true);

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            // Only the kind of error: exception messages can name the host and path.
            catch (HttpRequestException ex)
            {
                return $"Discord could not be reached ({ex.HttpRequestError})";
            }
            catch (TimeoutRejectedException)
            {
                return "Discord did not answer in time";
            }
            catch (BrokenCircuitException)
            {
                return "Discord keeps failing; sends are paused (circuit open)";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return "Discord did not answer in time";
            }

            TimeSpan wait;
            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return null;
                }

                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    return $"Discord answered {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}";
                }

                wait = await RetryAfterAsync(response, cancellationToken).ConfigureAwait(false);
                if (attempt > 1 || wait > o.MaxRetryAfter)
                {
                    return $"Discord rate-limited the message (retry after {wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)";
                }

                ScalerLog.DiscordRateLimited(logger, kind, wait.TotalSeconds);
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Discord's <c>retry_after</c> (body, seconds), else the Retry-After header, else 1 s.</summary>
    private static async Task<TimeSpan> RetryAfterAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync(DiscordJsonContext.Default.DiscordRateLimit, cancellationToken).ConfigureAwait(false);
            if (body?.RetryAfter is { } seconds && double.IsFinite(seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, 86_400));
            }
        }
        catch (JsonException)
        {
            // Not Discord's JSON (a proxy's page): fall back to the header.
        }
        catch (NotSupportedException)
        {
            // No or another content type.
        }

        return response.Headers.RetryAfter?.Delta is { } delta && delta >= TimeSpan.Zero ? delta : TimeSpan.FromSeconds(1);
    }
}
