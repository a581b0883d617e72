using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuzzTalk.AppHost.Resources;

/// <summary>The <c>mysql</c> resource: MariaDB from Debian, or a MySQL image, in utf8mb4.</summary>
public static partial class MySqlResources
{
    public const string Name = "mysql";
    public const string InitName = "mysql-init";
    public const string EndpointName = ServerProcessResource.EndpointName;
    public const int ContainerPort = 3306;

    public static IReadOnlyList<string> CharsetArguments { get; } =
        ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"];

    public const string TunnelName = "mysql-tunnel";

    public static IResourceBuilder<IResourceWithEndpoints> AddBuzzTalkMySql(this StackContext stack)
    {
        var mysql = stack.Options.RemoteDatabase.IsEnabled ? AddTunnel(stack)
            : stack.IsProcesses ? AddProcess(stack) : AddContainer(stack);
        var endpoint = mysql.GetEndpoint(EndpointName);
        var parameters = stack.Parameters;

        var healthKey = $"{Name}-select";
        stack.Builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthKey,
            _ => new MySqlSelectHealthCheck(endpoint, parameters.MySqlDatabase.Resource, parameters.MySqlUser.Resource, parameters.MySqlPassword.Resource),
            failureStatus: null,
            tags: null));
        return mysql.WithHealthCheck(healthKey);
    }

    /// <summary>
    /// The Deployer's <c>tunnel</c>: a local port forwarded over SSH to the private database, kept
    /// open and reconnected; the backends connect to its endpoint as to a local MySQL.
    /// </summary>
    private static IResourceBuilder<IResourceWithEndpoints> AddTunnel(StackContext stack)
    {
        var remote = stack.Options.RemoteDatabase;
        var tunnel = stack.Builder.AddProject<Projects.BuzzTalk_Deployer>(TunnelName, launchProfileName: null)
            .WithPlainHttp()
            .WithEndpoint(name: EndpointName, scheme: "tcp", isProxied: false)
            .WithEnvironment("Deployer__Ssh__User", remote.User)
            .WithEnvironment("Deployer__Ssh__PrivateKeyFile", Path.GetFullPath(remote.PrivateKeyFile))
            .WithEnvironment("Deployer__Ssh__KnownHostsFile", Path.GetFullPath(remote.KnownHostsFile));
        var endpoint = tunnel.GetEndpoint(EndpointName);
        // The tunnel is the Deployer, not a server: what consumers reference is the connection
        // string resource "mysql" over its local port.
        var connection = stack.Builder.AddConnectionString(Name, ConnectionUri(endpoint, stack.Parameters));
        tunnel.WithAnnotation(new ConnectionStringRedirectAnnotation(connection.Resource));
        tunnel.WithArgs(context =>
        {
            context.Args.Add("tunnel");
            context.Args.Add("--host");
            context.Args.Add(remote.Host);
            context.Args.Add("--ssh-port");
            context.Args.Add(remote.SshPort.ToString(CultureInfo.InvariantCulture));
            context.Args.Add("--remote-host");
            context.Args.Add(remote.RemoteHost);
            context.Args.Add("--remote-port");
            context.Args.Add(remote.RemotePort.ToString(CultureInfo.InvariantCulture));
            context.Args.Add("--local-port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });
        return tunnel;
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddProcess(StackContext stack)
    {
        var tools = stack.HostTools;
        var dir = stack.State.Directory("mysql");
        var data = Path.Combine(dir, "data");
        var initSql = Path.Combine(dir, "init.sql");
        // mariadbd refuses to run as root unless told to.
        var user = $"--user={Environment.UserName}";

        // Idempotent: on an existing data directory it reports so and exits 0.
        var init = stack.Builder.AddExecutable(InitName, tools.MariaDbInstallDb, dir,
            "--no-defaults", $"--datadir={data}", user, "--auth-root-authentication-method=socket", "--skip-test-db");

        var mysql = stack.Builder.AddResource(new ServerProcessResource(Name, tools.MariaDbd, dir, e => ConnectionUri(e, stack.Parameters)))
            .WithArgs("--no-defaults", $"--datadir={data}", $"--socket={Path.Combine(dir, "mysqld.sock")}",
                $"--pid-file={Path.Combine(dir, "mysqld.pid")}")
            // Read when the process starts: the local fleet's address is asked of the engine then.
            .WithArgs(context => context.Args.Add($"--bind-address={string.Join(',', stack.ListenAddresses)}"))
            .WithArgs("--skip-name-resolve", user, $"--init-file={initSql}")
            .WithArgs([.. CharsetArguments])
            .WithEndpoint(name: EndpointName, scheme: "tcp", targetPort: stack.LocalFleet?.MySqlPort)
            .WaitForCompletion(init);
        var endpoint = mysql.GetEndpoint(EndpointName);
        mysql.WithArgs(ReferenceExpression.Create($"--port={endpoint.Property(EndpointProperty.TargetPort)}"));

        // The server runs this file at every start, so a changed password or name applies on restart.
        mysql.OnBeforeResourceStarted(async (_, _, ct) =>
            StateDirectory.WritePrivateFile(initSql, await InitScriptAsync(stack.Parameters, ct).ConfigureAwait(false)));
        return mysql;
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddContainer(StackContext stack)
    {
        var image = stack.Options.Images.MySql;
        var container = stack.Builder.AddResource(new ServerContainerResource(Name, e => ConnectionUri(e, stack.Parameters)))
            .WithImage(image.Image)
            .WithImageTag(image.Tag);
        return stack.WithData(container, "mysql-container", "/var/lib/mysql")
            .WithEnvironment("MYSQL_DATABASE", stack.Parameters.MySqlDatabase)
            .WithEnvironment("MYSQL_USER", stack.Parameters.MySqlUser)
            .WithEnvironment("MYSQL_PASSWORD", stack.Parameters.MySqlPassword)
            .WithEnvironment("MYSQL_RANDOM_ROOT_PASSWORD", "yes")
            .WithArgs([.. CharsetArguments])
            .WithEndpoint(name: EndpointName, targetPort: ContainerPort, scheme: "tcp");
    }

    /// <summary>
    /// What a consumer's <c>ConnectionStrings:mysql</c> holds: a <c>mysql://</c> URI whose user,
    /// password and database are URI-escaped, so no character of a chosen password can end a
    /// field early (a <c>Key=Value;</c> string would need quoting rules of its own).
    /// </summary>
    public static ReferenceExpression ConnectionUri(EndpointReference endpoint, StackParameters parameters) =>
        ReferenceExpression.Create(
            $"mysql://{parameters.MySqlUser.Resource:uri}:{parameters.MySqlPassword.Resource:uri}@{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}/{parameters.MySqlDatabase.Resource:uri}");

    /// <summary>Creates the database and the application user, and (re)sets its password.</summary>
    public static async Task<string> InitScriptAsync(StackParameters parameters, CancellationToken cancellationToken)
    {
        var database = await RequiredAsync(parameters.MySqlDatabase.Resource, cancellationToken).ConfigureAwait(false);
        var user = await RequiredAsync(parameters.MySqlUser.Resource, cancellationToken).ConfigureAwait(false);
        var password = await RequiredAsync(parameters.MySqlPassword.Resource, cancellationToken).ConfigureAwait(false);
        return InitScript(database, user, password);
    }

    public static string InitScript(string database, string user, string password)
    {
        // Names become SQL identifiers: allow only what needs no quoting rules at all.
        if (!IdentifierPattern().IsMatch(database))
        {
            throw new ArgumentException($"mysql-database '{database}' must be 1-64 of [A-Za-z0-9_].", nameof(database));
        }

        if (!IdentifierPattern().IsMatch(user) || user.Length > 32)
        {
            throw new ArgumentException($"mysql-user '{user}' must be 1-32 of [A-Za-z0-9_].", nameof(user));
        }

        var literal = SqlString(password);
        var sql = new StringBuilder();
        sql.Append("CREATE DATABASE IF NOT EXISTS `").Append(database).Append("` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n");
        sql.Append("CREATE USER IF NOT EXISTS '").Append(user).Append("'@'%' IDENTIFIED BY ").Append(literal).Append(";\n");
        sql.Append("ALTER USER '").Append(user).Append("'@'%' IDENTIFIED BY ").Append(literal).Append(";\n");
        sql.Append("GRANT ALL PRIVILEGES ON `").Append(database).Append("`.* TO '").Append(user).Append("'@'%';\n");
        return sql.ToString();
    }

    private static string SqlString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static async Task<string> RequiredAsync(ParameterResource parameter, CancellationToken cancellationToken) =>
        await parameter.GetValueAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Parameter {parameter.Name} has no value.");

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex IdentifierPattern();
}
