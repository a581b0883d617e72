using System.Globalization;
using MySqlConnector;

namespace BuzzTalk.Discovery.Probes;

/// <summary>
/// Probe targets from <c>ConnectionStrings:{name}</c>, what an Aspire <c>WithReference</c> gives:
/// a <c>mysql://</c> or <c>redis://</c>/<c>rediss://</c> URI (user, password and database
/// URI-escaped), or the client library's own form (MySqlConnector's <c>Server=...;</c>,
/// StackExchange.Redis' <c>host:port,password=...</c>) taken as it is.
/// </summary>
public static class ConnectionStringTargets
{
    public const string Section = "ConnectionStrings";

    /// <summary>The target, or the reason the connection string cannot be one (never quoting the string: it holds a password).</summary>
    public static (ProbeTarget? Target, string? Error) MySql(string connectionString)
    {
        if (!IsUri(connectionString, "mysql"))
        {
            return (new ProbeTarget { Address = connectionString }, null);
        }

        if (!TryParse(connectionString, out var uri, out var user, out var password))
        {
            return (null, "the mysql:// connection string is not a valid URI");
        }

        var builder = new MySqlConnectionStringBuilder
        {
            Server = uri.DnsSafeHost,
            Port = uri.IsDefaultPort ? 3306u : (uint)uri.Port,
            UserID = user,
        };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        return (new ProbeTarget { Address = builder.ConnectionString, Password = password }, null);
    }

    public static (ProbeTarget? Target, string? Error) Redis(string connectionString)
    {
        var tls = IsUri(connectionString, "rediss");
        if (!tls && !IsUri(connectionString, "redis"))
        {
            return (new ProbeTarget { Address = connectionString }, null);
        }

        if (!TryParse(connectionString, out var uri, out var user, out var password))
        {
            return (null, "the redis:// connection string is not a valid URI");
        }

        if (user.AsSpan().IndexOfAny(',', '=') >= 0)
        {
            return (null, "the redis:// user name holds ',' or '='");
        }

        var port = uri.IsDefaultPort ? 6379 : uri.Port;
        // Host as the URI writes it: an IPv6 address stays bracketed, as host:port needs.
        var address = string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{port}");
        if (user.Length > 0)
        {
            address += ",user=" + user;
        }

        if (tls)
        {
            address += ",ssl=true";
        }

        return (new ProbeTarget { Address = address, Password = password.Length > 0 ? password : null }, null);
    }

    private static bool IsUri(string value, string scheme) =>
        value.StartsWith(scheme + "://", StringComparison.OrdinalIgnoreCase);

    private static bool TryParse(string value, out Uri uri, out string user, out string password)
    {
        user = "";
        password = "";
        if (!Uri.TryCreate(value, UriKind.Absolute, out uri!) || uri.Host.Length == 0)
        {
            return false;
        }

        var info = uri.UserInfo;
        var colon = info.IndexOf(':', StringComparison.Ordinal);
        user = Uri.UnescapeDataString(colon < 0 ? info : info[..colon]);
        password = colon < 0 ? "" : Uri.UnescapeDataString(info[(colon + 1)..]);
        return true;
    }
}
