using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.Testing;

/// <summary>
/// Turns a published stack file into one that runs on the test machine's swarm: local test
/// images (busybox httpd answering <c>/health</c>, <c>/id</c>, <c>/version</c>, <c>/db</c>; the
/// host's nginx for the frontend), free host ports and short health and update timings.
/// Everything else stays as published.
/// </summary>
public static class TestStackFile
{
    public const string BusyboxImage = "buzztalk/busybox:test";
    public const string NginxImage = "buzztalk/nginx:test";

    /// <param name="yaml">The published stack file.</param>
    /// <param name="frontendPort">Host port for the frontend's nginx.</param>
    /// <param name="backendImage">Image of the backend (default: busybox); a test app image carries /version and /healthy.</param>
    /// <param name="keepServices">Services to keep; null keeps all.</param>
    /// <param name="fastUpdates">Shorten update monitoring and restart delays so rollouts take seconds.</param>
    /// <param name="frontendPortVariable">
    /// When set, the frontend publishes <c>${variable:-frontendPort}</c>: several logical instances
    /// on one swarm each publish their own port from the same bundle.
    /// </param>
    /// <param name="publishedBackend">Keep the backend as published (its image, command and health check): the real backend image.</param>
    /// <param name="frontendImage">The SPA's image (default: the host's nginx with a test page); the edge always runs the host's nginx.</param>
    /// <param name="asPublished">Services that run here exactly as published (their images exist on the test machine).</param>
    public static string Rewrite(string yaml, int frontendPort, string backendImage = BusyboxImage, IReadOnlyCollection<string>? keepServices = null,
        bool fastUpdates = false, string? frontendPortVariable = null, bool publishedBackend = false, string? frontendImage = null,
        IReadOnlyCollection<string>? asPublished = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
        foreach (var key in services.Children.Keys.ToList())
        {
            var name = ((YamlScalarNode)key).Value!;
            if (keepServices is not null && !keepServices.Contains(name))
            {
                services.Children.Remove(key);
                continue;
            }

            var service = (YamlMappingNode)services[key];
            if (fastUpdates)
            {
                ShortenUpdates(service);
            }

            if (name == "edge")
            {
                service.Children[new YamlScalarNode("image")] = new YamlScalarNode(NginxImage);
                var published = frontendPort.ToString(CultureInfo.InvariantCulture);
                SetPublished(service, frontendPortVariable is null ? published : $"${{{frontendPortVariable}:-{published}}}");
                continue;
            }

            if (name == "frontend")
            {
                service.Children[new YamlScalarNode("image")] = new YamlScalarNode(frontendImage ?? NginxImage);
                continue;
            }

            if ((name == "backend" && publishedBackend) || asPublished?.Contains(name) == true)
            {
                continue;
            }

            var port = name switch { "backend" => 8000, "node-exporter" => 9100, _ => 8080 };
            service.Children[new YamlScalarNode("image")] = new YamlScalarNode(name == "backend" ? backendImage : BusyboxImage);
            // /health exists only where /healthy does (busybox has it too); v3 of the test app lacks it.
            service.Children[new YamlScalarNode("command")] = new YamlSequenceNode(
                new YamlScalarNode("sh"), new YamlScalarNode("-c"),
                new YamlScalarNode("mkdir -p /srv && hostname > /srv/id && (cat /version 2>/dev/null || echo none) > /srv/version"
                    + " && echo \"$$MYSQL_DB_NAME\" > /srv/db && { [ -f /healthy ] || [ ! -f /version ]; } && echo ok > /srv/health;"
                    + $" exec httpd -f -p {port.ToString(CultureInfo.InvariantCulture)} -h /srv"));
            service.Children[new YamlScalarNode("healthcheck")] = new YamlMappingNode(
                new YamlScalarNode("test"), new YamlSequenceNode(new YamlScalarNode("CMD"), new YamlScalarNode("wget"), new YamlScalarNode("-q"),
                    new YamlScalarNode("-O"), new YamlScalarNode("/dev/null"), new YamlScalarNode($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/health")),
                new YamlScalarNode("interval"), new YamlScalarNode("1s"),
                new YamlScalarNode("timeout"), new YamlScalarNode("2s"),
                new YamlScalarNode("retries"), new YamlScalarNode("2"));
            // Host folders of the exporters (e.g. /dev/disk) need not exist on a test machine.
            service.Children.Remove(new YamlScalarNode("volumes"));
            if (service.Children.ContainsKey(new YamlScalarNode("ports")))
            {
                SetPublished(service, ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture));
            }
        }

        // Swarm configs are global, not per stack: stacks without the frontend (several logical
        // instances on one host) must not all update the same config at once.
        if (keepServices is not null && !keepServices.Contains("frontend"))
        {
            ((YamlMappingNode)stream.Documents[0].RootNode).Children.Remove(new YamlScalarNode("configs"));
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static void ShortenUpdates(YamlMappingNode service)
    {
        if (!service.Children.TryGetValue(new YamlScalarNode("deploy"), out var deploy))
        {
            return;
        }

        foreach (var section in new[] { "update_config", "rollback_config" })
        {
            if (((YamlMappingNode)deploy).Children.TryGetValue(new YamlScalarNode(section), out var config))
            {
                var map = (YamlMappingNode)config;
                map.Children[new YamlScalarNode("monitor")] = new YamlScalarNode("4s");
                map.Children[new YamlScalarNode("delay")] = new YamlScalarNode("1s");
            }
        }

        // A failing test task restarts at once instead of after the production 30 s.
        if (((YamlMappingNode)deploy).Children.TryGetValue(new YamlScalarNode("restart_policy"), out var restart))
        {
            ((YamlMappingNode)restart).Children[new YamlScalarNode("delay")] = new YamlScalarNode("1s");
        }
    }

    private static void SetPublished(YamlMappingNode service, string port)
    {
        var ports = (YamlSequenceNode)service["ports"];
        ((YamlMappingNode)ports[0]).Children[new YamlScalarNode("published")] = new YamlScalarNode(port);
    }
}
