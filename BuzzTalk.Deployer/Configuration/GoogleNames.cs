using System.Text.RegularExpressions;

namespace BuzzTalk.Deployer.Configuration;

/// <summary>Names Google Cloud accepts, checked before they reach a URL.</summary>
public static partial class GoogleNames
{
    public static bool IsBucket(string name) => BucketPattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")]
    private static partial Regex BucketPattern();
}
