namespace BuzzTalk.Testing;

/// <summary>
/// Runs a command-line tool to completion (promtool, amtool, nginx -t, shellcheck...) and hands
/// back its exit code and combined output. Arguments go to the process as an argv list, never
/// through a shell.
/// </summary>
public static class ToolRun
{
    public static Task<(int ExitCode, string Output)> RunAsync(string tool, string workingDirectory, params string[] args) =>
        RunAsync(tool, workingDirectory, null, args);

    /// <summary>Runs the tool with extra environment variables.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        await using var process = ServerProcess.Start(tool, workingDirectory, 0, environment, args);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, process.Output);
    }

    /// <summary>Runs the tool and fails with its output unless it exits 0.</summary>
    public static async Task<string> RunCheckedAsync(string tool, string workingDirectory, params string[] args)
    {
        var (exit, output) = await RunAsync(tool, workingDirectory, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {exit}:\n{output}");
        }

        return output;
    }
}
