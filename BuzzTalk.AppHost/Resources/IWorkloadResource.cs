namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// An app workload of the stack (a backend replica, the frontend) as one type in both profiles,
/// a host process or a container: the builders the stack hands out keep every Aspire chain
/// (environment, arguments, endpoints, start order, the spot fleet's <c>PublishAsSwarmService</c>).
/// </summary>
public interface IWorkloadResource : IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithArgs, IResourceWithWaitSupport;
