using System.Text;
using System.Text.RegularExpressions;

namespace BuzzTalk.Publishing.Nginx;

/// <summary>Renders an <see cref="NginxSite"/> as a complete <c>nginx.conf</c>.</summary>
public static partial class NginxConfigGenerator
{
    public static string Generate(NginxSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        Validate(site);

        var w = new ConfigWriter();
        MainContext(w, site.RuntimeDirectory);
        w.Open("http");
        w.Line($"include {site.MimeTypesPath};");
        w.Line("default_type application/octet-stream;");
        w.Line("access_log /dev/stdout;");
        w.Line("sendfile on;");
        w.Line("server_tokens off;");
        w.Line($"client_max_body_size {site.ClientMaxBodySize};");
        if (site.RuntimeDirectory is { } temp)
        {
            foreach (var kind in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
            {
                w.Line($"{kind}_temp_path {Path.Combine(temp, kind)};");
            }
        }

        // A websocket request asks for an upgrade; everything else keeps the upstream connection.
        w.Open("map $http_upgrade $connection_upgrade");
        w.Line("default upgrade;");
        w.Line("'' '';");
        w.Close();

        if (site.Resolver is { } resolver)
        {
            // Short validity: a replica added or removed shows within seconds.
            w.Line($"resolver {resolver} valid={ResolverValidSeconds}s ipv6=off;");
            w.Line("resolver_timeout 2s;");
        }
        else
        {
            w.Open("upstream backend");
            foreach (var backend in site.Backends)
            {
                w.Line($"server {backend} max_fails=1 fail_timeout=5s;");
            }

            w.Line("keepalive 16;");
            w.Close();
        }

        w.Open("server");
        w.Line($"listen {site.Listen};");
        w.Line("server_name _;");
        if (site.SpaRoot is { } root)
        {
            w.Line($"root {root};");
        }

        if (site.Resolver is not null)
        {
            // A variable in proxy_pass makes nginx ask the resolver per request instead of once.
            w.Line($"set $backend_upstream {site.Backends[0]};");
        }

        if (site.Frontend is { } frontend)
        {
            w.Line($"set $frontend_upstream {frontend};");
        }

        w.Open($"location = {HealthPath}");
        w.Line("access_log off;");
        OkAnswer(w);
        w.Close();

        w.Open("location /");
        if (site.Frontend is null)
        {
            w.Line("try_files $uri $uri/ /index.html;");
        }
        else
        {
            w.Line("proxy_pass http://$frontend_upstream;");
            ProxyHeaders(w);
        }

        w.Close();

        if (site.DrainFile is { } drain && site.DrainedHealthPath is { } drained)
        {
            // The load balancer's health path: a leaving instance fails it first.
            w.Open($"location = {drained}");
            w.Open($"if (-f {drain})");
            w.Line("return 503 \"draining\\n\";");
            w.Close();
            BackendProxy(w, site, drained[BackendPrefix.Length..]);
            w.Close();
        }

        w.Open($"location {BackendPrefix}/");
        BackendProxy(w, site);
        w.Close();

        // The seed forgot Upgrade/Connection, so websockets never worked through its nginx.
        w.Open("location /ws/");
        if (site.DrainFile is { } leaving)
        {
            // A leaving instance has closed its websockets (1001): a client reconnecting through
            // the balancer before the instance is out of rotation is refused, and its retry lands
            // on another instance.
            w.Open($"if (-f {leaving})");
            w.Line("return 503 \"draining\\n\";");
            w.Close();
        }

        w.Line(site.Resolver is null ? "proxy_pass http://backend;" : "proxy_pass http://$backend_upstream;");
        ProxyHeaders(w, websocket: true);
        w.Line("proxy_read_timeout 1h;");
        w.Line("proxy_send_timeout 1h;");
        w.Close();

        for (var i = 0; i < site.Routes.Count; i++)
        {
            var route = site.Routes[i];
            w.Open($"location {route.Path}");
            if (site.Resolver is null)
            {
                // The trailing slash replaces the prefix with '/'.
                w.Line($"proxy_pass http://{route.Upstream}/;");
            }
            else
            {
                // Per request through the resolver, like the backends; the prefix is stripped here.
                w.Line($"set $route_upstream_{i} {route.Upstream};");
                w.Line($"rewrite ^{route.Path}(.*)$ /$1 break;");
                w.Line($"proxy_pass http://$route_upstream_{i};");
            }

            ProxyHeaders(w, websocket: true);
            w.Close();
        }

        w.Close(); // server
        w.Close(); // http
        return w.ToString();
    }

    /// <summary>
    /// The SPA's own nginx behind an edge: the static files, <c>index.html</c> for every unknown
    /// path (client-side routes), and <c>/healthz</c> for its container health check.
    /// </summary>
    public static string GenerateStatic(string listen, string root, string mimeTypesPath = "/etc/nginx/mime.types")
    {
        RequireListen(listen);
        RequirePaths(root, mimeTypesPath);
        var w = new ConfigWriter();
        MainContext(w, runtimeDirectory: null);
        w.Open("http");
        w.Line($"include {mimeTypesPath};");
        w.Line("default_type application/octet-stream;");
        w.Line("access_log off;");
        w.Line("sendfile on;");
        w.Line("server_tokens off;");
        w.Open("server");
        w.Line($"listen {listen};");
        w.Line("server_name _;");
        w.Line($"root {root};");
        w.Open($"location = {HealthPath}");
        OkAnswer(w);
        w.Close();
        w.Open("location /");
        w.Line("try_files $uri $uri/ /index.html;");
        w.Close();
        w.Close(); // server
        w.Close(); // http
        return w.ToString();
    }

    /// <summary>What every config starts with: one worker, errors to stderr, the pid file where asked.</summary>
    private static void MainContext(ConfigWriter w, string? runtimeDirectory)
    {
        w.Line("# Generated by BuzzTalk from the app model. Do not edit: regenerate.");
        w.Line("worker_processes 1;");
        w.Line("error_log stderr notice;");
        if (runtimeDirectory is { } run)
        {
            w.Line($"pid {Path.Combine(run, "nginx.pid")};");
        }

        w.Open("events");
        w.Line("worker_connections 1024;");
        w.Close();
    }

    /// <summary>The health path's answer, nginx's own (no upstream asked).</summary>
    private static void OkAnswer(ConfigWriter w)
    {
        w.Line("default_type text/plain;");
        w.Line("return 200 \"ok\\n\";");
    }

    /// <summary>nginx's own health answer (no upstream asked), in every config it writes.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Where the nginx image serves static files from: the frontend image puts the SPA there.</summary>
    public const string ImageSpaRoot = "/usr/share/nginx/html";

    /// <summary>
    /// How long nginx keeps a DNS answer: a stopping backend still gets requests this long, and a
    /// new task gets none. Short, so the clients a replaced backend sends away (1001) find its
    /// successor at their first or second try rather than only old tasks that refuse them (403).
    /// </summary>
    public const int ResolverValidSeconds = 1;

    /// <summary>Where the edge serves the chat backend (prefix stripped); its health path is under it.</summary>
    public const string BackendPrefix = "/backend";

    /// <summary>Proxies to the backends, without the <c>/backend</c> prefix; <paramref name="exactPath"/> for an exact-match location.</summary>
    private static void BackendProxy(ConfigWriter w, NginxSite site, string exactPath = "/")
    {
        // The trailing slash strips /backend: /backend/health reaches the backend as /health (an
        // exact-match location names the whole path instead).
        if (site.Resolver is null)
        {
            w.Line($"proxy_pass http://backend{exactPath};");
        }
        else
        {
            // With a variable, proxy_pass passes the URI unchanged, so strip /backend here.
            w.Line($"rewrite ^{BackendPrefix}/(.*)$ /$1 break;");
            w.Line("proxy_pass http://$backend_upstream;");
        }

        ProxyHeaders(w);
    }

    private static void ProxyHeaders(ConfigWriter w, bool websocket = false)
    {
        w.Line("proxy_http_version 1.1;");
        w.Line("proxy_set_header Upgrade $http_upgrade;");
        w.Line("proxy_set_header Connection $connection_upgrade;");
        w.Line("proxy_set_header Host $host;");
        w.Line("proxy_set_header X-Real-IP $remote_addr;");
        w.Line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
        w.Line("proxy_set_header X-Forwarded-Proto $scheme;");
        // A refused or reset connection (a replica restarting) moves the request to the next one.
        // A handshake refused with 403 came from a replica that is stopping or has a newer
        // successor (samples/chat-backend/rooms/succession.py): the next one takes it. nginx
        // never counts a 403 as a failed attempt.
        w.Line(websocket ? "proxy_next_upstream error timeout http_502 http_503 http_403;" : "proxy_next_upstream error timeout http_502 http_503;");
    }

    private static void Validate(NginxSite site)
    {
        // Values land in nginx syntax: reject anything that could end a directive or open a block.
        RequireListen(site.Listen);

        if (site.Backends.Count == 0)
        {
            throw new ArgumentException("nginx needs at least one backend.", nameof(site));
        }

        foreach (var backend in site.Backends)
        {
            if (!HostPortPattern().IsMatch(backend))
            {
                throw new ArgumentException($"Invalid backend address '{backend}': expected host:port.", nameof(site));
            }
        }

        if ((site.SpaRoot is null) == (site.Frontend is null))
        {
            throw new ArgumentException("nginx serves the SPA from a directory or proxies it to a frontend: exactly one of the two.", nameof(site));
        }

        if (site.Frontend is { } frontend && (!HostPortPattern().IsMatch(frontend) || site.Resolver is null))
        {
            throw new ArgumentException($"Invalid frontend '{frontend}': expected host:port, found through a resolver.", nameof(site));
        }

        if (site.Resolver is { } resolver && !ResolverPattern().IsMatch(resolver))
        {
            throw new ArgumentException($"Invalid resolver '{resolver}': expected an IP address.", nameof(site));
        }

        if (site.Resolver is not null && site.Backends.Count != 1)
        {
            throw new ArgumentException("With a resolver, nginx takes exactly one backend: the service name and port.", nameof(site));
        }

        RequirePaths(site.SpaRoot, site.RuntimeDirectory, site.MimeTypesPath, site.DrainFile, site.DrainedHealthPath);
        if (site.DrainFile is not null && site.DrainedHealthPath?.StartsWith(BackendPrefix + "/", StringComparison.Ordinal) != true)
        {
            throw new ArgumentException($"With a drain file, nginx needs the backend's health path under {BackendPrefix}/ (DrainedHealthPath).", nameof(site));
        }

        foreach (var route in site.Routes)
        {
            if (!RoutePathPattern().IsMatch(route.Path) || route.Path is BackendPrefix + "/" or "/ws/" || !HostPortPattern().IsMatch(route.Upstream))
            {
                throw new ArgumentException($"Invalid route '{route.Path}' -> '{route.Upstream}': expected /name/ (not /backend/ or /ws/) -> host:port.", nameof(site));
            }
        }

        if (site.Routes.GroupBy(r => r.Path, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw new ArgumentException("Two routes share a path.", nameof(site));
        }

        if (!SizePattern().IsMatch(site.ClientMaxBodySize))
        {
            throw new ArgumentException($"Invalid body size '{site.ClientMaxBodySize}'.", nameof(site));
        }
    }

    private static void RequireListen(string listen)
    {
        if (!ListenPattern().IsMatch(listen))
        {
            throw new ArgumentException($"Invalid nginx listen value '{listen}'.", nameof(listen));
        }
    }

    private static void RequirePaths(params string?[] paths)
    {
        foreach (var path in paths)
        {
            if (path is not null && !SafePathPattern().IsMatch(path))
            {
                throw new ArgumentException($"Path '{path}' is not absolute or has characters nginx would misread.", nameof(paths));
            }
        }
    }

    [GeneratedRegex("^(/[a-z0-9][a-z0-9-]*)+/$")]
    private static partial Regex RoutePathPattern();

    [GeneratedRegex(@"^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost):)?\d{1,5}$")]
    private static partial Regex ListenPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.\-_]*[A-Za-z0-9])?:\d{1,5}$")]
    private static partial Regex HostPortPattern();

    [GeneratedRegex(@"^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$")]
    private static partial Regex ResolverPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._\-/+@]*$")]
    private static partial Regex SafePathPattern();

    [GeneratedRegex(@"^\d{1,6}[kKmM]?$")]
    private static partial Regex SizePattern();

    /// <summary>Indents blocks so the generated file reads like a hand-written one.</summary>
    private sealed class ConfigWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Line(string line) =>
            _text.Append(' ', _depth * 4).Append(line).Append('\n');

        public void Open(string block)
        {
            Line(block + " {");
            _depth++;
        }

        public void Close()
        {
            _depth--;
            Line("}");
        }

        public override string ToString() => _text.ToString();
    }
}
