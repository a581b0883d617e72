namespace BuzzTalk.Testing;

/// <summary>The checkout the running tests or benchmarks were built from: the folder holding BuzzTalk.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> s_path = new(Find);

    public static string Path => s_path.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "BuzzTalk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("BuzzTalk.sln not found above " + AppContext.BaseDirectory);
    }
}
