using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Notifications;
using BuzzTalk.Scaler.State;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.Http;

namespace BuzzTalk.Scaler.Extensions;

public static class ScalerExtensions
{
    public static TBuilder AddScaler<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // ASP.NET Core logs several Information lines for every request (request start and finish,
        // endpoint executing and executed, the JSON result written), and its hosting opens a log
        // scope per request while any of its levels is on: at the default level that was about a
        // fifth of a no-op webhook's CPU. The Scaler's decision log records what matters; warnings
        // and errors still show. Lowest precedence: configuration can turn them back on.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData =
            [
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                new("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "None"),
            ],
        });

        var services = builder.Services;
        services.AddOptions<ScalerOptions>().BindConfiguration(ScalerOptions.SectionName)
            .PostConfigure<IConfiguration>((o, configuration) => o.DiscoveryUrl ??= DiscoveryReference.TargetsUrl(configuration))
            .Validate(o => o.Services.Values.All(b => b.Min >= 0 && b.Max >= b.Min && b.Max <= BuzzTalk.Fleet.Swarm.SwarmNames.MaxReplicas),
                "Scaler:Services: every service needs 0 <= Min <= Max <= 1000.")
            .Validate(o => o.Services.Keys.All(BuzzTalk.Fleet.Swarm.SwarmNames.IsServiceName), "Scaler:Services: invalid service name.")
            .Validate(o => o.Evaluator.Interval > TimeSpan.Zero && o.Evaluator.Window >= TimeSpan.Zero && o.Evaluator.StartupGrace >= TimeSpan.Zero,
                "Scaler:Evaluator: Interval must be positive, Window and StartupGrace not negative.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.MaxBodyBytes is >= 1024 and <= 16 * 1024 * 1024, "Scaler:Webhooks:MaxBodyBytes must be 1 KiB to 16 MiB.")
            .ValidateOnStart();

        services.AddOptions<DiscordOptions>().BindConfiguration(DiscordOptions.SectionName)
            // The message names the setting, never its value (the URL holds the token).
            .Validate(o => DiscordOptions.IsAcceptableUrl(o.WebhookUrl), "Scaler:Discord:WebhookUrl must be an absolute https URL (http only to a loopback address).")
            .Validate(o => o.QueueCapacity is >= 1 and <= 10_000, "Scaler:Discord:QueueCapacity must be 1 to 10000.")
            .Validate(o => o.MaxRetryAfter >= TimeSpan.Zero && o.MaxRetryAfter <= TimeSpan.FromMinutes(1), "Scaler:Discord:MaxRetryAfter must be 0 to 60 s.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookAuthenticator(sp.GetRequiredService<IOptions<WebhookOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TargetTrackingEngine(sp.GetRequiredService<IOptions<ScalerOptions>>().Value.TargetTracking, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HostConnections>();
        services.AddSingleton<HostFigures>();
        services.AddSingleton<ScalerMetrics>();
        services.AddSingleton<DecisionLog>();
        services.AddDiscord();
        services.AddSingleton<ConvergenceTracker>();
        services.AddSingleton<ScaleExecutor>();
        services.AddSingleton<ScaleEvaluator>();
        // The state is loaded before the evaluator's first round (hosted services start in order).
        services.AddSingleton<DecisionStateStore>();
        services.AddHostedService(sp => sp.GetRequiredService<DecisionStateStore>());
        services.AddHostedService(sp => sp.GetRequiredService<ScaleEvaluator>());
        services.AddSingleton<MemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());
        services.AddHttpClient(nameof(HttpSdInventory));
        services.AddSingleton<IInventory>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ScalerOptions>>().Value;
            // A short cache: Discovery drops a preempted instance within seconds (its preemption
            // watch), and the Scaler should stop counting it as soon; Discovery answers from memory.
            return o.DiscoveryUrl is { } url
                ? new HttpSdInventory(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HttpSdInventory)), url,
                    TimeSpan.FromSeconds(2), sp.GetRequiredService<TimeProvider>())
                : new StaticInventory(o.Instances);
        });
        return builder;
    }

    private static void AddDiscord(this IServiceCollection services)
    {
        var discord = services.AddHttpClient(DiscordClient.HttpClientName)
            // The default loggers write the request URL, which holds Discord's token.
            .RemoveAllLoggers();
        // The ServiceDefaults' handler (added to every client) retries 429 and 5xx up to three times,
        // longer than Alertmanager waits; replacing it for this one client is the only way its
        // options can differ (they are shared by all clients otherwise). Experimental API.
#pragma warning disable EXTEXP0001
        discord.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        discord.AddStandardResilienceHandler(o =>
            {
                // Only an unreachable Discord is retried here, once: a 429 is handled by DiscordClient
                // (retry_after, once), and a 5xx goes back to Alertmanager, which retries on its own schedule.
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                o.Retry.ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException);
                // Alertmanager gives a notification at least 10 s.
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(4);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
            });
        // Nor do traces get the URL: Discord requests are left out of HttpClient tracing.
        services.Configure<HttpClientTraceInstrumentationOptions>(o =>
        {
            var previous = o.FilterHttpRequestMessage;
            o.FilterHttpRequestMessage = request =>
                !(request.Options.TryGetValue(DiscordClient.SecretUrl, out var secret) && secret) && (previous?.Invoke(request) ?? true);
        });
        services.AddSingleton<DiscordClient>();
        services.AddSingleton<DecisionNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<DecisionNotifier>());
    }
}
