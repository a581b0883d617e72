namespace BuzzTalk.Discovery.Tests;

/// <summary>
/// Sets process environment variables (null removes one) and puts the previous values back on
/// dispose. Only for tests in <see cref="ProcessWideGroup"/>: the environment is the process's.
/// </summary>
internal sealed class EnvironmentOverride : IDisposable
{
    private readonly List<(string Name, string? Previous)> _previous = [];

    public EnvironmentOverride(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, previous) in _previous)
        {
            Environment.SetEnvironmentVariable(name, previous);
        }
    }
}
