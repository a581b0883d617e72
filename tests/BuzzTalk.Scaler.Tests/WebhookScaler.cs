using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;

namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// A busybox service on the local swarm behind a real sshd, and a Scaler that takes Grafana
/// webhooks for it with basic auth, its own evaluator off (the webhook tests' common world).
/// </summary>
public sealed class WebhookScaler : IAsyncDisposable
{
    public const string User = "alertmanager";

    private WebServiceHost? _scaler;
    private Dictionary<string, string?> _configuration = [];

    private WebhookScaler(LocalSwarmService host, string password)
    {
        Host = host;
        Password = password;
    }

    public LocalSwarmService Host { get; }

    public string Password { get; }

    public HttpClient Http => _scaler!.Http;

    public Uri Address => _scaler!.Address;

    /// <summary>The running Scaler's services (its options, decision log...).</summary>
    public IServiceProvider ScalerServices => _scaler!.App.Services;

    /// <summary>Posts seed-rule alerts to this Scaler with its credentials.</summary>
    public GrafanaAlerts Alerts => new(Http, User, Password);

    public static async Task<WebhookScaler> StartAsync(string prefix, string password, Action<Dictionary<string, string?>, LocalSwarmService>? configure = null,
        IReadOnlyList<string>? serviceOptions = null, params string[] command)
    {
        var host = await LocalSwarmService.StartAsync(prefix, serviceOptions ?? [], command);
        var world = new WebhookScaler(host, password);
        try
        {
            var configuration = await host.ScalerConfigurationAsync(min: 1, max: 3);
            configuration["Scaler:Webhooks:Username"] = User;
            configuration["Scaler:Webhooks:Password"] = password;
            // Only the webhooks act here; the evaluator has its own tests.
            configuration["Scaler:Evaluator:Enabled"] = "false";
            configure?.Invoke(configuration, host);
            world._configuration = configuration;
            world._scaler = await ScalerHost.StartAsync(configuration);
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops this Scaler (as a restart does, letting it finish), runs <paramref name="whileStopped"/>,
    /// and starts a new one with the same configuration.
    /// </summary>
    public async Task RestartScalerAsync(Action<WebApplicationBuilder>? configure = null, Func<Task>? whileStopped = null)
    {
        await _scaler!.DisposeAsync();
        _scaler = null;
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        _scaler = await ScalerHost.StartAsync(_configuration, configure);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
        }

        await Host.DisposeAsync();
    }
}
