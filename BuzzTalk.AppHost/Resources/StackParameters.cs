namespace BuzzTalk.AppHost.Resources;

/// <summary>The stack's parameters: names and secrets come from configuration, never from code.</summary>
public sealed record StackParameters(
    IResourceBuilder<ParameterResource> RedisPassword,
    IResourceBuilder<ParameterResource> MySqlDatabase,
    IResourceBuilder<ParameterResource> MySqlUser,
    IResourceBuilder<ParameterResource> MySqlPassword,
    IResourceBuilder<ParameterResource> ScalerWebhookPassword,
    IResourceBuilder<ParameterResource> DeployerApiPassword)
{
    public static StackParameters Add(IDistributedApplicationBuilder builder)
    {
        // Generated secrets need no persisting: the MySQL init step re-applies the password on
        // every start and Redis keeps nothing keyed to it.
        var secret = new GenerateParameterDefault { MinLength = 24, Special = false };
        return new(
            builder.AddParameter("redis-password", secret, secret: true, persist: false),
            builder.AddParameter("mysql-database", "buzztalk", publishValueAsDefault: true),
            builder.AddParameter("mysql-user", "buzztalk", publishValueAsDefault: true),
            builder.AddParameter("mysql-password", secret, secret: true, persist: false),
            builder.AddParameter("scaler-webhook-password", secret, secret: true, persist: false),
            builder.AddParameter("deployer-api-password", secret, secret: true, persist: false));
    }
}
