namespace BuzzTalk.Publishing;

/// <summary>
/// One file of the published bundle: its path relative to the bundle root (forward slashes),
/// its exact text (LF line endings, UTF-8 without BOM) and whether it is executable.
/// </summary>
public sealed record BundleFile(string Path, string Content, bool Executable = false);
