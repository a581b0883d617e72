using BuzzTalk.AppHost.Configuration;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using Microsoft.Extensions.Configuration;

namespace BuzzTalk.AppHost.Publish;

/// <summary>
/// Reads the publish inputs: the app's services from the model (the spot fleet's publisher), the fleet's images from <c>BuzzTalk</c>, and the
/// parameters only a publish needs. A missing or invalid input is one clear error listing all.
/// </summary>
public static class PublishSettingsFactory
{
    /// <summary>The site's public URL (the backend's <c>FRONT</c>): <c>Parameters:public-url</c>.</summary>
    public const string PublicUrlParameter = "public-url";

    /// <summary>Discovery references the stack's MySQL and Redis by their resource names.</summary>
    private static Deployer.Bundle.ProbedConnections Probes { get; } = new(Resources.MySqlResources.Name, Resources.RedisResources.Name);

    /// <summary>The settings every bundle is composed from, the cloud's and the local fleet's: the site, its services and the fleet's images.</summary>
    public static PublishSettings Create(BuzzTalkOptions options, string publicUrl, IReadOnlyList<SwarmServiceSpec> services)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PublishSettings
        {
            PublicUrl = publicUrl,
            Services = services,
            Probes = Probes,
            EdgeImage = options.Images.Edge,
            NodeExporterImage = options.Images.NodeExporter,
            CadvisorImage = options.Images.Cadvisor,
        };
    }

    public static async Task<PublishSettings> CreateAsync(BuzzTalkOptions options, IConfiguration configuration, SpotFleetResource spotFleet,
        IEnumerable<IResource> model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var publicUrl = configuration[$"Parameters:{PublicUrlParameter}"];
        var fleet = options.LocalFleet;
        if (options.IsLocalFleet)
        {
            // A publish for this machine's running fleet (aspire deploy): its ports must be the
            // ones the running fleet was given, so they cannot be picked at random.
            foreach (var (name, port) in new[] { ("FrontendPort", fleet.FrontendPort), ("NodeExporterPort", fleet.NodeExporterPort), ("CadvisorPort", fleet.CadvisorPort) })
            {
                if (port <= 0)
                {
                    errors.Add($"BuzzTalk:Fleet=local: publishing for the local fleet needs BuzzTalk:LocalFleet:{name}, the port the running fleet was given.");
                }
            }

            publicUrl ??= $"http://127.0.0.1:{fleet.FrontendPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        if (string.IsNullOrWhiteSpace(publicUrl))
        {
            errors.Add($"Parameter '{PublicUrlParameter}' is required to publish: pass --Parameters:{PublicUrlParameter}=http://<site address> " +
                $"(or set the environment variable Parameters__{PublicUrlParameter}).");
        }
        else if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.UserInfo) || publicUrl.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`' or '\\'))
        {
            errors.Add($"Parameter '{PublicUrlParameter}' must be an absolute http(s) URL without credentials or quotes.");
        }

        if (errors.Count > 0)
        {
            throw new OptionsInvalidException(errors);
        }

        var url = publicUrl!.TrimEnd('/');
        var settings = Create(options, url, await SwarmServiceDescriber.DescribeAsync(spotFleet, model, url, cancellationToken).ConfigureAwait(false));
        return options.IsLocalFleet
            ? settings with { FrontendPort = fleet.FrontendPort, NodeExporterPort = fleet.NodeExporterPort, CadvisorPort = fleet.CadvisorPort }
            : settings;
    }
}
