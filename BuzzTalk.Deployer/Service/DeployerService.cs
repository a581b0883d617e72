using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.ServiceDefaults;
using BuzzTalk.ServiceDefaults.Http;

namespace BuzzTalk.Deployer.Service;

/// <summary>
/// Service mode (<c>serve</c>): the CLI's operations over HTTP with basic auth, one operation at a
/// time. <c>POST /api/deploy</c> and <c>/api/rollback</c> start one and answer 202 with its id;
/// <c>GET /api/operations/{id}</c> follows it; <c>GET /api/status</c> reads every instance.
/// </summary>
public static class DeployerService
{
    public static async Task<int> RunAsync(string[] args, FileInfo? config, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (config is not null)
        {
            // First, so the environment and command line still override it.
            var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = config.FullName, Optional = false };
            source.ResolveFileProvider();
            builder.Configuration.Sources.Insert(0, source);
        }

        builder.AddServiceDefaults();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DeployerJsonContext.Default));
        builder.Services.AddSingleton<DeployerOperations>();
        builder.Services.AddSingleton<DeployerMetrics>();
        builder.Services.AddHostedService<DriftMonitor>();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDeployerApi();
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    public static IEndpointRouteBuilder MapDeployerApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").AddEndpointFilter(async (context, next) =>
            Authorized(context.HttpContext) ? await next(context).ConfigureAwait(false) : Unauthorized(context.HttpContext));

        api.MapPost("/deploy", (DeployRequest? request, DeployerOperations operations, IConfiguration configuration) =>
        {
            var (options, problem) = Options(configuration);
            if (problem is not null)
            {
                return problem;
            }

            var bundle = request?.Bundle ?? configuration["Deployer:Bundle"];
            if (string.IsNullOrWhiteSpace(bundle))
            {
                return SizedResults.Problem("No bundle: pass \"bundle\" or set Deployer:Bundle.", StatusCodes.Status400BadRequest);
            }

            ReleaseContent release;
            try
            {
                var loaded = DeployBundle.Load(bundle);
                if (request?.Services is { } names)
                {
                    loaded.ServicesNamed(names);
                }

                release = ReleaseContent.From(loaded);
            }
            catch (BundleInvalidException ex)
            {
                return SizedResults.Problem(ex.Message, StatusCodes.Status400BadRequest);
            }

            if (request?.ImageTag is { } tag && !Fleet.Swarm.SwarmNames.IsImageTag(tag))
            {
                return SizedResults.Problem($"'{tag}' is not a valid image tag.", StatusCodes.Status400BadRequest);
            }

            IReadOnlyDictionary<string, byte[]>? envFiles = null;
            if (options.EnvFile is { Length: > 0 } envFile)
            {
                try
                {
                    envFiles = EnvRenderer.InstanceEnvFiles(EnvFile.Load(envFile), release.EnvFiles);
                }
                catch (Exception ex) when (ex is EnvFileInvalidException or IOException or UnauthorizedAccessException)
                {
                    // The renderer's messages name keys and lines, never values.
                    return SizedResults.Problem($"Deployer:EnvFile: {ex.Message}", StatusCodes.Status503ServiceUnavailable);
                }
            }

            var rollout = new RolloutRequest { Services = request?.Services, ImageTag = request?.ImageTag, Holder = "deployer-service", EnvFiles = envFiles };
            return Started(operations.TryStart("deploy", options, (fleet, targets, ct) => RecordedOperations.DeployAsync(fleet, options, targets, release,
                rollout, Math.Max(1, request?.Parallel ?? 1), Math.Max(0, request?.MaxFailures ?? 0), request?.FleetRollback ?? true, ct)));
        });

        api.MapPost("/rollback", (RollbackRequest? request, DeployerOperations operations, IConfiguration configuration) =>
        {
            var (options, problem) = Options(configuration);
            return problem ?? Started(operations.TryStart("rollback", options, (fleet, targets, ct) => RecordedOperations.RollbackAsync(fleet, options, targets,
                "buzztalk", request?.Services, "deployer-service", 1, 0, ct)));
        });

        api.MapGet("/operations/{id}", (string id, DeployerOperations operations) =>
            operations.Find(id) is { } operation ? SizedResults.Json(operation.View(), DeployerJsonContext.Default.OperationView) : Results.NotFound());

        api.MapGet("/status", async (IConfiguration configuration, CancellationToken ct) =>
        {
            var (options, problem) = Options(configuration);
            if (problem is not null)
            {
                return problem;
            }

            IReadOnlyList<DeployTarget> targets;
            try
            {
                targets = await InventoryResolver.ResolveAsync(options, [], ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ArgumentException or HttpRequestException or System.Text.Json.JsonException)
            {
                return SizedResults.Problem($"inventory: {ex.Message}", StatusCodes.Status503ServiceUnavailable);
            }

            var (statuses, _, _) = await RecordedOperations.StatusAsync(new FleetRollout(options), options, targets, "buzztalk", ct).ConfigureAwait(false);
            return SizedResults.Json(statuses.ToList(), DeployerJsonContext.Default.ListInstanceStatus);
        });
        return endpoints;
    }

    private static IResult Started(DeployerOperation? operation) =>
        operation is null
            ? SizedResults.Problem("Another operation is running; try again when it ends.", StatusCodes.Status409Conflict)
            : SizedResults.Json(operation.View(), DeployerJsonContext.Default.OperationView, StatusCodes.Status202Accepted);

    /// <summary>The settings, or the problem that stops any operation (answered as 503).</summary>
    private static (DeployerOptions Options, IResult? Problem) Options(IConfiguration configuration)
    {
        var options = DeployerOptions.Load(configuration);
        return DeployerOptionsValidator.Validate(options) is { Count: > 0 } errors
            ? (options, SizedResults.Problem("settings: " + string.Join(" ", errors), StatusCodes.Status503ServiceUnavailable))
            : (options, null);
    }

    private static bool Authorized(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        var user = configuration["Deployer:Api:Username"] ?? "deployer";
        // No password configured: the API stays closed.
        return new BasicCredentials(user, configuration["Deployer:Api:Password"]).Accepts(context.Request.Headers.Authorization);
    }

    private static IResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"buzztalk-deployer\"";
        return SizedResults.Problem("Missing or wrong credentials.", StatusCodes.Status401Unauthorized);
    }
}
