namespace BuzzTalk.Deployer.Env;

/// <summary>
/// One file rendered from the <c>.env</c>: its path under the render output (first segment
/// <c>instance/</c> or <c>ops-host/</c>, the rest is its path under <c>/etc/buzztalk</c> on that host),
/// its content and its mode.
/// </summary>
public sealed record RenderedFile(string RelativePath, string Content, UnixFileMode Mode = RenderedFile.SecretMode)
{
    /// <summary>Owner read/write only: 0600.</summary>
    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Which host the file is for (the first path segment).</summary>
    public string Host => RelativePath[..Math.Max(0, RelativePath.IndexOf('/', StringComparison.Ordinal))];

    /// <summary>The path under <c>/etc/buzztalk</c> on that host, e.g. <c>env/backend.env</c>.</summary>
    public string HostPath => RelativePath[(RelativePath.IndexOf('/', StringComparison.Ordinal) + 1)..];

    // The generated record ToString would print the content, which is secret.
    public override string ToString() => $"{RelativePath} ({Convert.ToString((int)Mode, 8)})";
}
