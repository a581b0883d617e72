using System.Globalization;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Stack;

namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// The Django backend replicas: <c>backend</c>, <c>backend-2</c>, ... (the extra replicas are
/// shown under <c>backend</c> in the dashboard). Each is its own resource so nginx balances
/// across real processes and websocket fan-out through Redis crosses them.
/// </summary>
public static class BackendResources
{
    public const string Name = "backend";
    public const string MigrateName = "backend-migrate";
    public const string EndpointName = "http";
    public const string HealthPath = "/health";
    public const int ContainerPort = 8000;

    public static string ReplicaName(int replica) => replica == 1 ? Name : $"{Name}-{replica}";

    public static IReadOnlyList<IResourceBuilder<IWorkloadResource>> AddBuzzTalkBackends(
        this StackContext stack,
        IResourceBuilder<IResourceWithEndpoints> mysql,
        IResourceBuilder<IResourceWithEndpoints> redis,
        EndpointReference frontend)
    {
        var connections = new BackendConnections(stack, mysql.GetEndpoint(MySqlResources.EndpointName),
            redis.GetEndpoint(RedisResources.EndpointName), frontend);

        // Migrations run once, before any replica, so two replicas never race on DDL. The
        // published stack has no such step: the cloud's database is migrated by its operator.
        IResourceBuilder<IResource>? migrate = stack.IsPublish ? null
            : stack.IsProcesses ? AsMigration(AddMigrateProcess(stack))
            : AsMigration(AddMigrateContainer(stack));

        IResourceBuilder<IResource> AsMigration<T>(IResourceBuilder<T> step)
            where T : class, IResourceWithEnvironment, IResourceWithWaitSupport =>
            step.WithEnvironment(context => connections.Apply(context, MigrateName)).WaitFor(mysql);

        var replicas = new List<IResourceBuilder<IWorkloadResource>>();
        for (var i = 1; i <= stack.Options.BackendReplicas; i++)
        {
            var name = ReplicaName(i);
            replicas.Add(Configure(stack.IsProcesses ? AddProcess(stack, name) : AddContainer(stack, name)));

            IResourceBuilder<IWorkloadResource> Configure(IResourceBuilder<IWorkloadResource> replica)
            {
                replica
                    .WithEnvironment(context => connections.Apply(context, name))
                    .WithHealthPath(HealthPath, EndpointName)
                    .WaitFor(mysql)
                    .WaitFor(redis);
                if (migrate is not null)
                {
                    replica.WaitForCompletion(migrate);
                }

                if (replicas.Count > 0)
                {
                    replica.WithParentRelationship(replicas[0]);
                }
                else
                {
                    // One swarm service stands for all of them; its tasks are the replicas.
                    replica.PublishAsSwarmService(s => PublishAs(s, stack))
                        .WithSwarmLimits(ServiceLimits.SeedBackend);
                }

                return replica;
            }
        }

        return replicas;
    }

    /// <summary>What only the published backend has: task names, the drain on SIGTERM and the succession scope.</summary>
    private static void PublishAs(SwarmServiceOptions service, StackContext stack)
    {
        service.Image = stack.Options.Images.Backend;
        service.Port = ContainerPort;
        service.Edge = EdgeRoute.Backend;
        // A python probe costs ~90 ms of CPU under the seed's 0.06-CPU limit; bash ~7 ms.
        service.Probe = HealthProbe.BashTcp;
        // Migrations and the first connection to MySQL take a while under that limit.
        service.HealthStartPeriod = TimeSpan.FromSeconds(60);
        service.Environment[ReplicaVariable] = Name + "-{{.Task.Slot}}";
        service.Environment[StackFileGenerator.BackendDrainVariable] = StackFileGenerator.BackendDrainSeconds.ToString(CultureInfo.InvariantCulture);
        service.Environment[StackFileGenerator.BackendScopeVariable] = "{{.Node.ID}}-{{.Service.Name}}";
        // Django makes up a key per process when none is given; an operator may pin one.
        service.OptionalEnvFileKeys.Add("DJANGO_SECRET_KEY");
    }

    /// <summary>Names the replica in the backend's logs and its succession record.</summary>
    public const string ReplicaVariable = "BUZZTALK_REPLICA";

    private static string BackendDirectory(StackContext stack) => Path.Combine(stack.SamplesDirectory, "chat-backend");

    private static IResourceBuilder<IWorkloadResource> AddProcess(StackContext stack, string name)
    {
        var backend = stack.Builder.AddWorkloadProcess(name, stack.HostTools.Python, BackendDirectory(stack),
                "-m", "daphne", "-b", "127.0.0.1")
            .WithHttpEndpoint(name: EndpointName, env: "PORT");
        return backend
            .WithArgs("-p")
            .WithArgs(backend.GetEndpoint(EndpointName).Property(EndpointProperty.TargetPort))
            .WithArgs("buzzchat.asgi:application");
    }

    private static IResourceBuilder<ExecutableResource> AddMigrateProcess(StackContext stack) =>
        stack.Builder.AddExecutable(MigrateName, stack.HostTools.Python, BackendDirectory(stack), MigrateCommand);

    /// <summary>The backend's image with the same command; the image's working directory holds manage.py.</summary>
    private static IResourceBuilder<ContainerResource> AddMigrateContainer(StackContext stack)
    {
        var image = stack.Options.Images.Backend;
        return stack.Builder.AddContainer(MigrateName, image.Image, image.Tag)
            .WithEntrypoint("python3")
            .WithArgs(MigrateCommand);
    }

    private static readonly string[] MigrateCommand = ["manage.py", "migrate", "--noinput"];

    private static IResourceBuilder<IWorkloadResource> AddContainer(StackContext stack, string name) =>
        stack.Builder.AddWorkloadContainer(name, stack.Options.Images.Backend)
            .WithHttpEndpoint(name: EndpointName, targetPort: ContainerPort);
}
