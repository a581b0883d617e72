using BuzzTalk.AppHost;
using BuzzTalk.AppHost.Publishing;

var builder = DistributedApplication.CreateBuilder(args);

await builder.AddBuzzTalkAsync();

var app = builder.Build();
await app.RunAsync();
return BundlePublishingExtensions.ExitCode(app, builder.Configuration);
