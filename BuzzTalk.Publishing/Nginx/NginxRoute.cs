namespace BuzzTalk.Publishing.Nginx;

/// <summary>A path prefix nginx proxies to one service (<c>host:port</c>), prefix stripped, websockets allowed.</summary>
public sealed record NginxRoute(string Path, string Upstream);
