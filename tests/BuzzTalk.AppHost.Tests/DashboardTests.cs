using System.Text.Json;
using System.Text.RegularExpressions;
using BuzzTalk.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// The AppHost run as the quick start runs it (its <c>http</c> launch profile, with free ports in
/// place of the profile's fixed ones), and its dashboard opened in a real browser.
/// </summary>
[Collection(AppHostSerialGroup.Name)]
public sealed partial class DashboardTests
{
    [Fact]
    public async Task The_printed_login_url_opens_the_resources_page_with_every_resource_running_and_healthy_and_no_certificate_banner()
    {
        using var state = new ScratchDirectory();
        var dashboardPort = ServerProcess.FreePort();
        var environment = HttpLaunchProfile(dashboardPort);
        var appHost = AppHostOutput();
        await using var process = ServerProcess.Start("dotnet", Path.GetDirectoryName(appHost)!, dashboardPort, environment,
            appHost, "--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path);
        try
        {
            var login = await LoginUrlAsync(process, StackHost.StartTimeout);
            Assert.StartsWith($"http://localhost:{dashboardPort}/login?t=", login, StringComparison.Ordinal);

            await using var chromium = await DebianChromium.LaunchAsync();
            var page = await chromium.NewPageAsync();
            await page.GotoAsync(login);

            // The token logs in and lands on the resources page.
            await Expect(page).ToHaveURLAsync(new Regex($"^http://localhost:{dashboardPort}/?$"));
            foreach (var resource in StackHost.Services)
            {
                var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(resource, new() { Exact = true }) });
                await Expect(row.First).ToContainTextAsync("Running", new() { Timeout = (float)StackHost.StartTimeout.TotalMilliseconds });
            }

            // Every health check passes: no row is left unhealthy or still waiting.
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = new Regex("Unhealthy|Waiting|Starting") }))
                .ToHaveCountAsync(0, new() { Timeout = (float)StackHost.StartTimeout.TotalMilliseconds });
            // No resource uses TLS, so no development certificate is asked for (the check runs before any resource starts).
            await Expect(page.GetByText("No trusted development certificate")).ToHaveCountAsync(0);
            await DebianChromium.SaveScreenshotAsync(page, "dashboard");
        }
        finally
        {
            await process.InterruptAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>The AppHost's own build output, next to this test's (same configuration).</summary>
    private static string AppHostOutput()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(RepositoryRoot.Path, "BuzzTalk.AppHost", "bin", configuration, framework.Name, "BuzzTalk.AppHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The AppHost is not built", path);
    }

    /// <summary>The launch profile's environment, its localhost URLs moved to free ports (the dashboard's to <paramref name="dashboardPort"/>).</summary>
    private static Dictionary<string, string> HttpLaunchProfile(int dashboardPort)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "BuzzTalk.AppHost", "Properties", "launchSettings.json")));
        var profile = settings.RootElement.GetProperty("profiles").GetProperty("http");
        var environment = profile.GetProperty("environmentVariables").EnumerateObject()
            .ToDictionary(p => p.Name, p => LocalhostPort().Replace(p.Value.GetString()!, _ => $"http://localhost:{ServerProcess.FreePort()}"));
        environment["ASPNETCORE_URLS"] = LocalhostPort().Replace(profile.GetProperty("applicationUrl").GetString()!, $"http://localhost:{dashboardPort}");
        return environment;
    }

    private static async Task<string> LoginUrlAsync(ServerProcess process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (LoginUrl().Match(process.Output) is not { Success: true } match)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited before printing a login URL:\n{process.Output}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No login URL within {timeout}:\n{process.Output}");
            }
        }

        return LoginUrl().Match(process.Output).Value;
    }

    [GeneratedRegex(@"http://localhost:\d+")]
    private static partial Regex LocalhostPort();

    [GeneratedRegex(@"http://localhost:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginUrl();
}
