using BuzzTalk.AppHost.Configuration;
using Microsoft.Extensions.Configuration;

namespace BuzzTalk.AppHost.Publishing;

/// <summary>
/// Reads the publish inputs: the model's images and replica count from <c>BuzzTalk</c>, and the
/// parameters only a publish needs. A missing or invalid input is one clear error listing all.
/// </summary>
public static class PublishSettingsFactory
{
    /// <summary>The site's public URL (the backend's <c>FRONT</c>): <c>Parameters:public-url</c>.</summary>
    public const string PublicUrlParameter = "public-url";

    public static PublishSettings Create(BuzzTalkOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var publicUrl = configuration[$"Parameters:{PublicUrlParameter}"];
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

        return new PublishSettings
        {
            PublicUrl = publicUrl!.TrimEnd('/'),
            BackendImage = options.Images.Backend,
            FrontendImage = options.Images.Frontend,
            EdgeImage = options.Images.Edge,
            NodeExporterImage = options.Images.NodeExporter,
            CadvisorImage = options.Images.Cadvisor,
        };
    }
}
