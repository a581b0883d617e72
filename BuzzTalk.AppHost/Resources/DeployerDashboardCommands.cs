using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// Dashboard commands on the backend and frontend: "Deploy", "Rollback" and "Status", each a call
/// to the deployer service's API (basic auth with the deployer-api-password parameter). Deploy and
/// rollback run as operations; the command follows one until it ends and shows its summary.
/// </summary>
public static class DeployerDashboardCommands
{
    public const string Deploy = "deploy";
    public const string Rollback = "rollback";
    public const string Status = "status";

    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(15);

    public static IResourceBuilder<T> WithDeployerCommands<T>(this IResourceBuilder<T> resource, IResourceBuilder<ProjectResource> deployer,
        IResourceBuilder<ParameterResource> password, string service)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        var endpoint = deployer.GetEndpoint("http");
        resource.WithCommand(Deploy, "Deploy", ctx => OperationAsync(endpoint, password, "/api/deploy", service, ctx.CancellationToken), new CommandOptions
        {
            Description = $"Roll the published bundle's {service} out to every instance (start-first, under each instance's deploy lease).",
            ConfirmationMessage = $"Deploy {service} to every instance?",
            IconName = "CloudArrowUp",
        });
        resource.WithCommand(Rollback, "Rollback", ctx => OperationAsync(endpoint, password, "/api/rollback", service, ctx.CancellationToken), new CommandOptions
        {
            Description = $"Roll {service} back to its previous spec on every instance.",
            ConfirmationMessage = $"Roll {service} back on every instance?",
            IconName = "ArrowUndo",
        });
        resource.WithCommand(Status, "Status", ctx => StatusAsync(endpoint, password, service, ctx.CancellationToken), new CommandOptions
        {
            Description = $"Images, replicas and deploy lease of {service} on every instance.",
            IconName = "Info",
        });
        return resource;
    }

    private static async Task<ExecuteCommandResult> OperationAsync(EndpointReference endpoint, IResourceBuilder<ParameterResource> password,
        string path, string service, CancellationToken cancellationToken)
    {
        try
        {
            using var http = await ClientAsync(endpoint, password, cancellationToken).ConfigureAwait(false);
            using var started = await http.PostAsJsonAsync(path, new JsonObject { ["services"] = new JsonArray(service) }, cancellationToken).ConfigureAwait(false);
            var body = await started.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!started.IsSuccessStatusCode)
            {
                return CommandResults.Failure(Problem(body, started.StatusCode));
            }

            var id = JsonNode.Parse(body)?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("the deployer returned no operation id");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(OperationTimeout);
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token).ConfigureAwait(false);
                var view = JsonNode.Parse(await http.GetStringAsync(new Uri($"/api/operations/{id}", UriKind.Relative), deadline.Token).ConfigureAwait(false));
                var state = view?["state"]?.GetValue<string>();
                if (state is "running")
                {
                    continue;
                }

                var summary = Summary(view);
                return state == "succeeded" ? CommandResults.Success(summary) : CommandResults.Failure(summary);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or OperationCanceledException)
        {
            return CommandResults.Failure($"deployer: {ex.Message}");
        }
    }

    private static async Task<ExecuteCommandResult> StatusAsync(EndpointReference endpoint, IResourceBuilder<ParameterResource> password,
        string service, CancellationToken cancellationToken)
    {
        try
        {
            using var http = await ClientAsync(endpoint, password, cancellationToken).ConfigureAwait(false);
            using var response = await http.GetAsync(new Uri("/api/status", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return CommandResults.Failure(Problem(body, response.StatusCode));
            }

            return CommandResults.Success(StatusText(JsonNode.Parse(body), service));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException)
        {
            return CommandResults.Failure($"deployer: {ex.Message}");
        }
    }

    /// <summary>
    /// One line per instance of the Deployer's <c>/api/status</c>: the service's image and replicas,
    /// and the release the instance runs against the desired one (drift says why not).
    /// </summary>
    public static string StatusText(JsonNode? statuses, string service)
    {
        var text = new StringBuilder();
        foreach (var instance in statuses?.AsArray() ?? [])
        {
            text.Append(CultureInfo.InvariantCulture, $"{instance?["instance"]}: {instance?["message"]}");
            foreach (var s in instance?["services"]?.AsArray() ?? [])
            {
                if (s?["name"]?.GetValue<string>().EndsWith($"_{service}", StringComparison.Ordinal) == true)
                {
                    text.Append(CultureInfo.InvariantCulture, $"; {s["image"]} {s["running"]}/{s["desired"]}");
                }
            }

            if (instance?["desiredRevision"] is { } desired)
            {
                var running = instance["running"] is { } record ? $"r{record["revision"]} {record["release"]}" : "no recorded release";
                text.Append(instance["drift"]?.GetValue<string>() is { } drift
                    ? $"; DRIFT from desired r{desired}: {drift}"
                    : $"; runs {running}, the desired release");
            }

            text.Append('\n');
        }

        return text.Length > 0 ? text.ToString().TrimEnd() : "no instances";
    }

    private static async Task<HttpClient> ClientAsync(EndpointReference endpoint, IResourceBuilder<ParameterResource> password, CancellationToken cancellationToken)
    {
        var secret = await password.Resource.GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "";
        var http = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ControlServiceResources.DeployerApiUser}:{secret}")));
        return http;
    }

    private static string Summary(JsonNode? view)
    {
        if (view?["error"]?.GetValue<string>() is { } error)
        {
            return error;
        }

        var lines = (view?["report"]?["instances"]?.AsArray() ?? [])
            .Select(i => $"{i?["instance"]}: {i?["outcome"]} ({i?["message"]})");
        return string.Join("\n", lines) is { Length: > 0 } text ? text : "no instances";
    }

    private static string Problem(string body, System.Net.HttpStatusCode status)
    {
        try
        {
            return JsonNode.Parse(body)?["detail"]?.GetValue<string>() ?? $"deployer answered {(int)status}";
        }
        catch (JsonException)
        {
            return $"deployer answered {(int)status}";
        }
    }
}
