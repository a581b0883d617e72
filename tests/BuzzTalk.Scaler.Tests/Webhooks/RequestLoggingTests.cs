using BuzzTalk.Scaler.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// ASP.NET Core's per-request logging (start and finish lines, endpoint and result lines at
/// Information, and the scope hosting opens for each request while any of its levels is on) is
/// off by default in the Scaler, and configuration can still turn it on.
/// </summary>
public sealed class RequestLoggingTests
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task Per_request_logging_is_off_by_default()
    {
        await using var app = Build([]);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger(Category).IsEnabled(LogLevel.Critical));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Http.Result.JsonResult").IsEnabled(LogLevel.Information));
        // ASP.NET Core's warnings and errors still show, and the Scaler's own logs keep the usual levels.
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("BuzzTalk.Scaler").IsEnabled(LogLevel.Information));
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
