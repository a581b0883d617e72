using System.Diagnostics;
using System.Text;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Startup;

/// <summary>
/// Runs a bash script with an environment chosen by the test (ToolRun passes none) and hands back
/// its exit code and output.
/// </summary>
public static class ScriptRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string script, string workingDirectory, IReadOnlyDictionary<string, string> environment, bool xtrace = false)
    {
        var start = new ProcessStartInfo(ServerProcess.Locate("bash"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (xtrace)
        {
            // Every command the script runs is echoed: nothing secret may show up even then.
            start.ArgumentList.Add("-x");
        }

        start.ArgumentList.Add(script);

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
