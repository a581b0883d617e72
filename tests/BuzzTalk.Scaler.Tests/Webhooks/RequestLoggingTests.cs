using BuzzTalk.Scaler.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// ASP.NET Core's per-request logging (start and finish lines, and the scope it opens for each
/// request while any of its levels is on) is off by default in the Scaler, and configuration can
/// still turn it on.
/// </summary>
public sealed class RequestLoggingTests
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task Per_request_logging_is_off_by_default()
    {
        await using var app = Build([]);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        Assert.False(logger.IsEnabled(LogLevel.Critical));
        // Everything else keeps the usual levels.
        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BuzzTalk.Scaler").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Configuration_turns_it_back_on()
    {
        await using var app = Build(new() { [$"Logging:LogLevel:{Category}"] = "Information" });

        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category).IsEnabled(LogLevel.Information));
    }

    private static WebApplication Build(Dictionary<string, string?> configuration)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults().AddScaler();
        return builder.Build();
    }
}
