namespace BuzzTalk.Deployer.Env;

/// <summary>One <c>KEY=value</c> of a <c>.env</c> file and the line it came from.</summary>
public sealed record EnvEntry(string Key, string Value, int LineNumber)
{
    // The generated record ToString would print the value, which may be a secret.
    public override string ToString() => $"{Key} (line {LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
