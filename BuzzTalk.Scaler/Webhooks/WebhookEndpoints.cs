using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Notifications;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// <c>POST /api/webhooks/grafana</c> and <c>/api/webhooks/alertmanager</c>: authenticated,
/// size-limited, strictly parsed; every alert answered with its outcome. <c>GET /api/decisions</c>
/// shows the latest decisions. <c>POST /api/notify/discord</c> relays Alertmanager to Discord.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapScalerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/webhooks/grafana", (HttpContext context, CancellationToken ct) => CountedAsync(AlertSource.Grafana, context, ct));
        endpoints.MapPost("/api/webhooks/alertmanager", (HttpContext context, CancellationToken ct) => CountedAsync(AlertSource.Alertmanager, context, ct));
        endpoints.MapPost("/api/notify/discord", DiscordRelay.HandleAsync);
        endpoints.MapGet("/api/decisions", (DecisionLog log) => SizedResults.Json(log.Recent(), ScalerJsonContext.Default.IReadOnlyListScaleOutcome));
        return endpoints;
    }

    private static async Task<IResult> CountedAsync(AlertSource source, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await HandleAsync(source, context, cancellationToken).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<ScalerMetrics>().Webhook(source.ToString(),
            (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK);
        return result;
    }

    private static async Task<IResult> HandleAsync(AlertSource source, HttpContext context, CancellationToken cancellationToken)
    {
        var (body, problem) = await WebhookIntake.ReadAsync(context, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var authenticator = services.GetRequiredService<WebhookAuthenticator>();
        var request = context.Request;

        if (source == AlertSource.Grafana && authenticator.CheckGrafanaSignature(body, request.Headers[options.GrafanaSignatureHeader],
                options.GrafanaTimestampHeader is { } header ? request.Headers[header].ToString() : null) is { } signatureError)
        {
            return SizedResults.Problem(signatureError, StatusCodes.Status401Unauthorized);
        }

        ParsedWebhook parsed;
        try
        {
            parsed = WebhookParser.Parse(source, body, options);
        }
        catch (WebhookRejectedException ex)
        {
            return SizedResults.Problem(ex.Message, ex.StatusCode);
        }

        var executor = services.GetRequiredService<ScaleExecutor>();
        var outcomes = await Task.WhenAll(parsed.Requests.Select(r => executor.ExecuteAsync(r, cancellationToken))).ConfigureAwait(false);
        return SizedResults.Json(new WebhookAnswer(outcomes, parsed.Ignored), ScalerJsonContext.Default.WebhookAnswer);
    }
}
