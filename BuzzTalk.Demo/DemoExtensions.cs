using System.Net.Http.Headers;
using System.Text;

namespace BuzzTalk.Demo;

/// <summary>The demo's wiring: options validated at start, one HTTP client per service it talks to.</summary>
public static class DemoExtensions
{
    public const string Deployer = "deployer";
    public const string Scaler = "scaler";
    public const string Prometheus = "prometheus";
    public const string Site = "site";

    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(Deployer, (sp, http) =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value;
            http.BaseAddress = o.DeployerUrl;
            http.DefaultRequestHeaders.Authorization = Basic(o.DeployerUser, o.DeployerPassword);
        }).RemoveAllResilienceHandlers(); // a retried POST would start a second operation
        builder.Services.AddHttpClient(Scaler, (sp, http) =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value;
            http.BaseAddress = o.ScalerUrl;
            http.DefaultRequestHeaders.Authorization = Basic(o.ScalerUser, o.ScalerPassword);
        });
        builder.Services.AddHttpClient(Prometheus, (sp, http) =>
            http.BaseAddress = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.PrometheusUrl);
        // The load's client: no resilience handler, so every failed request counts as failed.
        builder.Services.AddHttpClient(Site, (sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.SiteUrl;
            http.Timeout = TimeSpan.FromSeconds(60);
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
            .RemoveAllResilienceHandlers();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DemoScenario>();
        return builder;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
