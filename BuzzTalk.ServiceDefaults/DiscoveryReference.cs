using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Where a service finds Discovery's inventory when the AppHost gives it a reference
/// (<c>WithReference(discovery)</c> sets <c>services__discovery__http__0</c>); an explicit
/// <c>DiscoveryUrl</c> setting wins, as on the ops host.
/// </summary>
public static class DiscoveryReference
{
    public const string ServiceName = "discovery";

    /// <summary>Prometheus http_sd: the fleet's instances, what the Scaler and Deployer read.</summary>
    public const string TargetsPath = "/sd/targets";

    /// <summary>The referenced Discovery's <see cref="TargetsPath"/>, or null without a reference.</summary>
    public static Uri? TargetsUrl(IConfiguration configuration) =>
        configuration[$"services:{ServiceName}:http:0"] is { Length: > 0 } endpoint
            && Uri.TryCreate(endpoint.TrimEnd('/') + TargetsPath, UriKind.Absolute, out var url)
            ? url
            : null;
}
