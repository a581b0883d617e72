namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// The connection names of the app's MySQL and Redis (<c>x-buzztalk: probes</c>): Discovery probes
/// them as <c>/probe/mysql/{name}</c> and <c>/probe/redis/{name}</c> from <c>ConnectionStrings:{name}</c>,
/// which the Deployer renders into the ops host's Discovery env file.
/// </summary>
public sealed record ProbedConnections(string MySql, string Redis);
