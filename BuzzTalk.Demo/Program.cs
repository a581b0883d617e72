using BuzzTalk.Demo;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddDemo();
using var host = builder.Build();
await host.StartAsync().ConfigureAwait(false);
var exitCode = await host.Services.GetRequiredService<DemoScenario>().RunAsync(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping)
    .ConfigureAwait(false);
await host.StopAsync().ConfigureAwait(false);
return exitCode;
