namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// The env file one service of the stack reads (<c>&lt;service&gt;.env</c>), as the bundle declares it
/// (<c>x-buzztalk: env-files</c>): the variables it must and may hold, and those the stack file sets
/// itself (its <c>environment:</c> wins over the env file, so the Deployer never passes those through).
/// </summary>
public sealed record ServiceEnvFile(string Service, IReadOnlyList<string> Required, IReadOnlyList<string> Optional, IReadOnlyList<string> StackOwned)
{
    public string FileName => Service + ".env";

    /// <summary>Prefix of extra variables for this service: <c>BACKEND_FOO=1</c> in the .env is <c>FOO=1</c> in <c>backend.env</c>.</summary>
    public string PassThroughPrefix => Service.ToUpperInvariant().Replace('-', '_') + "_";
}
