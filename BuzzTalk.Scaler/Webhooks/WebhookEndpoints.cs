using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Notifications;
using BuzzTalk.ServiceDefaults.Http;
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
        endpoints.MapPost("/api/webhooks/grafana", (HttpContext context, CancellationToken ct) => CountedAsync(AlertSource.Grafana, context, ct))
            .RequireExactMethod();
        endpoints.MapPost("/api/webhooks/alertmanager", (HttpContext context, CancellationToken ct) => CountedAsync(AlertSource.Alertmanager, context, ct))
            .RequireExactMethod();
        endpoints.MapPost("/api/notify/discord", DiscordRelay.HandleAsync).RequireExactMethod();
        endpoints.MapGet("/api/decisions", (DecisionLog log) => SizedResults.Json(log.Recent(), ScalerJsonContext.Default.IReadOnlyListScaleOutcome))
            .RequireExactMethod();
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
        ParsedWebhook parsed;
        using (body)
        {
            var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var authenticator = services.GetRequiredService<WebhookAuthenticator>();
            var request = context.Request;

            if (source == AlertSource.Grafana && authenticator.CheckGrafanaSignature(body.Span, request.Headers[options.GrafanaSignatureHeader],
                    options.GrafanaTimestampHeader is { } header ? request.Headers[header].ToString() : null) is { } signatureError)
            {
                return SizedResults.Problem(signatureError, StatusCodes.Status401Unauthorized);
            }

            try
            {
                parsed = WebhookParser.Parse(source, body.Span, options);
            }
            catch (WebhookRejectedException ex)
            {
                return SizedResults.Problem(ex.Message, ex.StatusCode);
            }
        }

        var executor = services.GetRequiredService<ScaleExecutor>();
        var outcomes = await Task.WhenAll(parsed.Requests.Select(r => executor.ExecuteAsync(r, cancellationToken))).ConfigureAwait(false);
        var status = AnswerStatus(outcomes);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
        }

        return SizedResults.Json(new WebhookAnswer(outcomes, parsed.Ignored, parsed.Invalid), ScalerJsonContext.Default.WebhookAnswer, status);
    }

    /// <summary>
    /// 503 when an alert failed for a reason a retry can cure (Alertmanager retries a 5xx at once,
    /// with backoff; the others are idempotent, so retrying the whole body is safe); 422 when one
    /// failed for good (a changed host key: no retry now, but the sender does not mark the group
    /// notified and sends it again at its next group interval); else 200, with each outcome.
    /// </summary>
    public static int AnswerStatus(IReadOnlyCollection<ScaleOutcome> outcomes) =>
        outcomes.Any(o => o.Result == ScaleOutcome.Failed && o.Transient) ? StatusCodes.Status503ServiceUnavailable
        : outcomes.Any(o => o.Result == ScaleOutcome.Failed) ? StatusCodes.Status422UnprocessableEntity
        : StatusCodes.Status200OK;

    // Alertmanager ignores it (its backoff starts at 0.5 s); for any other sender, about a reconnect's time.
    private const string RetryAfterSeconds = "10";
}
