using BuzzTalk.Scaler.Webhooks;
using BuzzTalk.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// <c>POST /api/notify/discord</c>: Alertmanager's webhook receiver for Discord. Alertmanager
/// cannot read a Discord URL from a file and the URL is a secret, so it posts here (same
/// credentials and limits as the scaling webhooks) and the Scaler forwards. A Discord failure is
/// answered 502, which Alertmanager retries.
/// </summary>
public static class DiscordRelay
{
    public const string MetricSource = "DiscordRelay";

    public static async Task<IResult> HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var result = await RelayAsync(context, cancellationToken).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<ScalerMetrics>().Webhook(MetricSource,
            (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK);
        return result;
    }

    private static async Task<IResult> RelayAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (body, problem) = await WebhookIntake.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var services = context.RequestServices;
        var discord = services.GetRequiredService<DiscordClient>();
        AlertmanagerNotification payload;
        using (body)
        {
            if (!discord.IsConfigured)
            {
                return SizedResults.Problem("Discord is not configured.", StatusCodes.Status503ServiceUnavailable);
            }

            try
            {
                payload = DiscordFormatter.Parse(body.Span);
            }
            catch (WebhookRejectedException ex)
            {
                return SizedResults.Problem(ex.Message, ex.StatusCode);
            }
        }

        var message = DiscordFormatter.FromAlertmanager(payload, services.GetRequiredService<IOptions<WebhookOptions>>().Value);
        var failure = await discord.SendAsync(message, DiscordClient.AlertKind, cancellationToken).ConfigureAwait(false);
        return failure is null
            ? Results.NoContent()
            : SizedResults.Problem(failure + ".", StatusCodes.Status502BadGateway);
    }
}
