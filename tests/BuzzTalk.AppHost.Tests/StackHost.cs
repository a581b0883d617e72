using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// The AppHost started in one local profile on its own state directory, every resource
/// waited for with a timeout. Disposing stops every process and container DCP started for it.
/// </summary>
public sealed class StackHost : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Long-running resources that must turn healthy.</summary>
    public static readonly string[] Services =
        ["redis", "mysql", "backend", "backend-2", "frontend", "discovery", "scaler", "deployer"];

    /// <summary>The workload resources: containers in the containers profile, executables in the processes profile.</summary>
    public static readonly string[] Workloads = ["redis", "mysql", "backend", "backend-2", "frontend", "backend-migrate"];

    // Awkward on purpose: quotes, backslash and URL delimiters prove the values are escaped
    // for SQL, redis.conf and the REDIS_URL.
    public const string MySqlPassword = "my'sq\"l\\pa ss;--";
    public const string RedisPassword = "re:d@i/s?pa#ss \"w\\";
    public const string ScalerWebhookPassword = "scaler:webhook pass";

    private StackHost(DistributedApplication app, string stateDirectory, StackProfile profile)
    {
        App = app;
        StateDirectory = stateDirectory;
        Profile = profile;
    }

    public StackProfile Profile { get; }

    /// <summary>Init steps that must run to completion with exit code 0.</summary>
    public IReadOnlyList<string> InitSteps => InitStepsOf(Profile);

    /// <summary>Init steps of a profile (a MySQL container initialises itself).</summary>
    public static IReadOnlyList<string> InitStepsOf(StackProfile profile) =>
        profile == StackProfile.Processes ? ["mysql-init", "backend-migrate"] : ["backend-migrate"];

    public DistributedApplicationModel Model => App.Services.GetRequiredService<DistributedApplicationModel>();

    public DistributedApplication App { get; }

    public string StateDirectory { get; }

    /// <summary>
    /// The AppHost arguments that choose the profile. The containers profile is reached the way a
    /// user reaches it: <c>auto</c>, with the engine answering and every configured image present
    /// (the images built from Debian packages by <c>eng/build-images.sh</c>, cached by content).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RuntimeArgumentsAsync(StackProfile profile, CancellationToken cancellationToken) =>
        profile == StackProfile.Processes
            ? ["--BuzzTalk:LocalRuntime", "processes"]
            : ["--BuzzTalk:LocalRuntime", "auto", .. (await FleetImages.BuildAsync(cancellationToken)).ContainersProfileArguments];

    public static async Task<StackHost> StartAsync(StackProfile profile, string stateDirectory, CancellationToken cancellationToken) =>
        await StartAsync(profile, await RuntimeArgumentsAsync(profile, cancellationToken), stateDirectory, cancellationToken);

    /// <summary>Starts with the runtime arguments resolved ahead (<see cref="RuntimeArgumentsAsync"/>), e.g. before a clock starts.</summary>
    public static async Task<StackHost> StartAsync(
        StackProfile profile, IReadOnlyList<string> runtimeArguments, string stateDirectory, CancellationToken cancellationToken)
    {
        string[] args =
        [
            .. runtimeArguments,
            "--BuzzTalk:StateDirectory", stateDirectory,
            "--Parameters:mysql-password", MySqlPassword,
            "--Parameters:redis-password", RedisPassword,
            "--Parameters:scaler-webhook-password", ScalerWebhookPassword,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(args, cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        var host = new StackHost(app, stateDirectory, profile);
        try
        {
            await app.StartAsync(cancellationToken);
            await Task.WhenAll(Services.Select(s => app.ResourceNotifications.WaitForResourceHealthyAsync(s, cancellationToken)));
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

    public HttpClient Client(string resource) => new() { BaseAddress = Endpoint(resource), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Runs a dashboard command (e.g. restart) and waits until the resource is healthy again.</summary>
    public async Task RestartAsync(string resource, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"restart of {resource} failed: {result.Message}");
        }

        await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}
