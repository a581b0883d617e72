using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>The containers profile's model, inspected without starting a container.</summary>
public sealed class ContainersProfileModelTests : IAsyncLifetime
{
    private readonly ScratchDirectory _state = new();
    private IDistributedApplicationTestingBuilder? _builder;

    private IDistributedApplicationTestingBuilder Builder => _builder!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "containers", "--BuzzTalk:StateDirectory", _state.Path,
             "--BuzzTalk:Images:Frontend:Tag", "v7"],
            cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_builder is not null)
        {
            await _builder.DisposeAsync();
        }

        _state.Dispose();
    }

    private T Resource<T>(string name) where T : IResource =>
        Assert.IsType<T>(Builder.Resources.Single(r => r.Name == name), exactMatch: false);

    private static string Image(ContainerResource container)
    {
        var image = container.Annotations.OfType<ContainerImageAnnotation>().Single();
        return $"{image.Image}:{image.Tag}";
    }

    private static Task<IReadOnlyList<string>> ArgsAsync(IResource resource) => ModelInspection.ArgsAsync(resource);

    private static Task<Dictionary<string, string>> EnvAsync(IResource resource) => ModelInspection.EnvAsync(resource);

    /// <summary>Aspire adds a hidden, explicitly started rebuild helper under each project.</summary>
    private static bool IsAspireHelper(IResource resource) =>
        resource is IResourceWithParent { Parent: ProjectResource } && resource.Annotations.OfType<ExplicitStartupAnnotation>().Any();

    private static IEnumerable<string> WaitsOf(ContainerResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

    [Fact]
    public void Every_workload_resource_is_a_container_with_its_configured_image()
    {
        Assert.Equal("docker.io/library/redis:7.4", Image(Resource<ContainerResource>("redis")));
        Assert.Equal("docker.io/library/mysql:8.4", Image(Resource<ContainerResource>("mysql")));
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-backend:latest", Image(Resource<ContainerResource>("backend")));
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-backend:latest", Image(Resource<ContainerResource>("backend-2")));
        Assert.Equal("ghcr.io/buzz-talk/buzz-talk-frontend:v7", Image(Resource<ContainerResource>("frontend")));
        Assert.DoesNotContain(Builder.Resources.OfType<ExecutableResource>(), r => !IsAspireHelper(r));
    }

    [Fact]
    public async Task Redis_is_aspires_redis_with_the_seed_settings_and_its_password_from_the_secret_parameter()
    {
        var redis = Resource<RedisResource>("redis");
        Assert.Same(Resource<ParameterResource>("redis-password"), redis.PasswordParameter);
        var command = string.Join(' ', await ArgsAsync(redis));

        // redis-server replaces the integration's `sh -c`, so it gets the engine's SIGTERM and saves on stop.
        Assert.StartsWith("exec redis-server ", command, StringComparison.Ordinal);
        Assert.Contains("--maxmemory 500mb", command, StringComparison.Ordinal);
        Assert.Contains("--maxmemory-policy allkeys-lru", command, StringComparison.Ordinal);
        Assert.Contains("--requirepass \"$REDIS_PASSWORD\"", command, StringComparison.Ordinal);
        Assert.Equal("{redis-password.value}", (await EnvAsync(redis))["REDIS_PASSWORD"]);
        Assert.True(Resource<ParameterResource>("redis-password").Secret);
        Assert.Equal(6379, redis.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
    }

    [Fact]
    public async Task MySql_takes_database_user_and_password_from_parameters_in_utf8mb4()
    {
        var mysql = Resource<ContainerResource>("mysql");
        var env = await EnvAsync(mysql);

        Assert.Equal("{mysql-database.value}", env["MYSQL_DATABASE"]);
        Assert.Equal("{mysql-user.value}", env["MYSQL_USER"]);
        Assert.Equal("{mysql-password.value}", env["MYSQL_PASSWORD"]);
        Assert.True(Resource<ParameterResource>("mysql-password").Secret);
        Assert.Contains("--character-set-server=utf8mb4", await ArgsAsync(mysql));
        Assert.Equal(3306, mysql.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
    }

    [Theory]
    [InlineData("backend")]
    [InlineData("backend-2")]
    public async Task Each_backend_replica_gets_exactly_the_seed_environment_plus_redis(string name)
    {
        var backend = Resource<ContainerResource>(name);
        var env = await EnvAsync(backend);

        Assert.Equal(
            ["BUZZTALK_REPLICA", "DB_ENGINE", "DEBUG", "FRONT", "MYSQL_DB_HOST", "MYSQL_DB_NAME", "MYSQL_DB_PASSWORD",
             "MYSQL_DB_PORT", "MYSQL_DB_USER", "REDIS_URL"],
            env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("django.db.backends.mysql", env["DB_ENGINE"]);
        Assert.Equal("{mysql-password.value}", env["MYSQL_DB_PASSWORD"]);
        Assert.Equal("{frontend.bindings.http.url}", env["FRONT"]);
        Assert.Equal(name, env["BUZZTALK_REPLICA"]);
        Assert.StartsWith("redis://:{redis-password.value}@", env["REDIS_URL"], StringComparison.Ordinal);
        Assert.Equal(8000, backend.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
    }

    [Fact]
    public void Start_up_is_ordered_backends_after_mysql_and_redis_frontend_after_every_backend()
    {
        Assert.Equal(["backend-migrate", "mysql", "redis"], WaitsOf(Resource<ContainerResource>("backend")).Order());
        Assert.Equal(["backend-migrate", "mysql", "redis"], WaitsOf(Resource<ContainerResource>("backend-2")).Order());
        Assert.Equal(["mysql"], WaitsOf(Resource<ContainerResource>("backend-migrate")));
        Assert.Equal(["backend", "backend-2"], WaitsOf(Resource<ContainerResource>("frontend")).Order());
    }

    [Fact]
    public void Every_resource_but_the_migration_step_has_a_health_check()
    {
        // backend-migrate runs to completion; the replicas wait for its exit code instead.
        foreach (var resource in Builder.Resources.Where(r => r is not ParameterResource && !IsAspireHelper(r) && r.Name != "backend-migrate"))
        {
            Assert.True(resource.Annotations.OfType<HealthCheckAnnotation>().Any(), $"{resource.Name} has no health check");
        }
    }

    [Fact]
    public async Task Migrations_run_in_the_backend_image_with_the_backends_environment()
    {
        var migrate = Resource<ContainerResource>("backend-migrate");
        var backend = Resource<ContainerResource>("backend");

        Assert.Equal(Image(backend), Image(migrate));
        Assert.Equal("python3", migrate.Entrypoint);
        Assert.Equal(["manage.py", "migrate", "--noinput"], await ArgsAsync(migrate));
        var env = await EnvAsync(migrate);
        var backendEnv = await EnvAsync(backend);
        Assert.Equal(backendEnv.Keys.Order(StringComparer.Ordinal), env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(backendEnv["MYSQL_DB_HOST"], env["MYSQL_DB_HOST"]);
    }

    [Fact]
    public void The_frontend_mounts_the_generated_nginx_config_over_the_image_default()
    {
        var frontend = Resource<ContainerResource>("frontend");
        var mount = frontend.Annotations.OfType<ContainerMountAnnotation>().Single();

        Assert.Equal("/etc/nginx/nginx.conf", mount.Target);
        Assert.True(mount.IsReadOnly);
        Assert.StartsWith(_state.Path, mount.Source, StringComparison.Ordinal);
        Assert.Equal(80, frontend.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
    }

    [Fact]
    public async Task Discovery_references_mysql_and_redis_by_their_connection_strings_with_no_password_of_its_own()
    {
        var discovery = Resource<ProjectResource>("discovery");
        var env = await EnvAsync(discovery);

        // WithReference: each value is the server's own connection string, its password inside as a reference.
        var raw = await ModelInspection.RawEnvAsync(discovery);
        Assert.Equal("mysql", Assert.IsType<ConnectionStringReference>(raw["ConnectionStrings__mysql"]).Resource.Name);
        Assert.Equal("redis", Assert.IsType<ConnectionStringReference>(raw["ConnectionStrings__redis"]).Resource.Name);
        var mysql = Resource<IResourceWithConnectionString>("mysql").ConnectionStringExpression.ValueExpression;
        Assert.StartsWith("mysql://{mysql-user.value", mysql, StringComparison.Ordinal);
        Assert.Contains("{mysql-password.value", mysql, StringComparison.Ordinal);
        Assert.Contains("{redis-password.value}", Resource<IResourceWithConnectionString>("redis").ConnectionStringExpression.ValueExpression, StringComparison.Ordinal);
        // Only the connection strings: no REDIS_PASSWORD or other property copies of a secret.
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Probes__", StringComparison.Ordinal) || k.StartsWith("REDIS_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_scaler_reads_discovery_and_takes_its_webhook_password_from_a_secret()
    {
        var env = await EnvAsync(Resource<ProjectResource>("scaler"));

        Assert.Equal("{scaler-webhook-password.value}", env["Scaler__Webhooks__Password"]);
        Assert.True(Resource<ParameterResource>("scaler-webhook-password").Secret);
        // A reference, as Aspire writes it; the service appends Discovery's /sd/targets itself.
        Assert.Equal("{discovery.bindings.http.url}", env["services__discovery__http__0"]);
        Assert.DoesNotContain("Scaler__DiscoveryUrl", env.Keys);
        Assert.Equal("{discovery.bindings.http.url}", (await EnvAsync(Resource<ProjectResource>("deployer")))["services__discovery__http__0"]);
    }

    [Fact]
    public void The_control_services_are_projects()
    {
        foreach (var name in new[] { "discovery", "scaler", "deployer" })
        {
            Resource<ProjectResource>(name);
        }
    }
}
