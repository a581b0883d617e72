using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// The AppHost run as the quick start runs it (its <c>http</c> launch profile, with free ports in
/// place of the profile's fixed ones), on each local profile, and its dashboard opened in a real browser.
/// </summary>
[Collection(AppHostSerialGroup.Name)]
public sealed partial class DashboardTests
{
    /// <summary>A reload when the dashboard's page failed, as a person would click it; more means the dashboard is broken.</summary>
    private const int MaxReloads = 2;

    [Theory]
    [InlineData(StackProfile.Processes)]
    [InlineData(StackProfile.Containers)]
    public async Task The_printed_login_url_opens_the_resources_page_with_every_resource_running_and_healthy_and_no_certificate_banner(StackProfile profile)
    {
        using var cts = new CancellationTokenSource(StackHost.StartTimeout);
        using var state = new ScratchDirectory();
        string[] args = [.. await StackHost.RuntimeArgumentsAsync(profile, cts.Token), "--BuzzTalk:StateDirectory", state.Path];
        // The profile's own resources, from its model: what the dashboard lists must be exactly these.
        var resources = await DashboardResourcesAsync(args, cts.Token);
        var initSteps = StackHost.InitStepsOf(profile);
        Assert.Subset(resources.ToHashSet(), StackHost.Services.Concat(initSteps).ToHashSet());

        var dashboardPort = ServerProcess.FreePort();
        var appHost = AppHostOutput();
        await using var process = ServerProcess.Start("dotnet", Path.GetDirectoryName(appHost)!, dashboardPort, HttpLaunchProfile(dashboardPort), [appHost, .. args]);
        try
        {
            var login = await LoginUrlAsync(process, StackHost.StartTimeout);
            Assert.StartsWith($"http://localhost:{dashboardPort}/login?t=", login, StringComparison.Ordinal);

            await using var chromium = await DebianChromium.LaunchAsync();
            var page = await chromium.NewPageAsync();
            await page.GotoAsync(login);

            // The token logs in and lands on the resources page.
            await Expect(page).ToHaveURLAsync(new Regex($"^http://localhost:{dashboardPort}/?$"));
            var reloads = 0;
            var deadline = DateTime.UtcNow + StackHost.StartTimeout;
            var slice = new LocatorAssertionsToHaveTextOptions { Timeout = (float)TimeSpan.FromSeconds(10).TotalMilliseconds };
            foreach (var resource in resources)
            {
                var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(resource, new() { Exact = true }) }).First;
                var stateCell = row.GetByRole(AriaRole.Gridcell).Filter(new() { Has = page.Locator(".state-column-cell") });
                while (true)
                {
                    try
                    {
                        await ExpectStateAsync(stateCell, initSteps.Contains(resource), slice);
                        break;
                    }
                    catch (PlaywrightException) when (DateTime.UtcNow < deadline)
                    {
                        // Still starting, or the dashboard (Blazor Server) lost its circuit on a loaded
                        // machine and shows "An unhandled error has occurred. Reload": a person reloads.
                        if (await page.Locator("#blazor-error-ui").IsVisibleAsync())
                        {
                            Assert.True(++reloads <= MaxReloads, $"The dashboard failed {reloads} times (last while waiting for {resource}):\n{process.Output}");
                            await page.ReloadAsync();
                        }
                    }
                }
            }

            // Nothing more than the model's resources, and no row left unhealthy or still waiting.
            await Expect(page.GetByText(new Regex($"^Showing {resources.Count} resources$"))).ToHaveCountAsync(1);
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = new Regex("Unhealthy|Waiting|Starting") })).ToHaveCountAsync(0);
            // No resource uses TLS, so no development certificate is asked for (the check runs before any resource starts).
            await Expect(page.GetByText("No trusted development certificate")).ToHaveCountAsync(0);
            await DebianChromium.SaveScreenshotAsync(page, $"dashboard-{profile.ToString().ToLowerInvariant()}");
        }
        finally
        {
            await process.InterruptAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>The state a resource ends in: an init step finished, anything else running.</summary>
    private static async Task ExpectStateAsync(ILocator stateCell, bool initStep, LocatorAssertionsToHaveTextOptions wait)
    {
        if (initStep)
        {
            // Ran to completion with exit code 0: a non-zero one would make the state's tooltip
            // "... exited unexpectedly with exit code N".
            await Expect(stateCell).ToHaveTextAsync(FinishedState(), wait);
            await Expect(stateCell).ToHaveAttributeAsync("title", new Regex(@"^[A-Za-z]+ is no longer running\.?$"));
        }
        else
        {
            // "Running" alone: a resource whose health checks do not pass shows "Running (Unhealthy)".
            await Expect(stateCell).ToHaveTextAsync("Running", wait);
        }
    }

    /// <summary>
    /// The resources the dashboard's resources page lists for these arguments: the model's, less
    /// parameters (their own tab), hidden ones and the projects' rebuilders (hidden when they start).
    /// </summary>
    private static async Task<List<string>> DashboardResourcesAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(args, cancellationToken);
        return [.. builder.Resources
            .Where(r => r is not ParameterResource and not IResourceWithParent { Parent: ProjectResource }
                && !r.Annotations.OfType<ResourceSnapshotAnnotation>().Any(a => a.InitialSnapshot.IsHidden))
            .Select(r => r.Name)];
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

    [GeneratedRegex(@"^\s*(Finished|Exited)\s*$")]
    private static partial Regex FinishedState();

    [GeneratedRegex(@"http://localhost:\d+")]
    private static partial Regex LocalhostPort();

    [GeneratedRegex(@"http://localhost:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginUrl();
}
