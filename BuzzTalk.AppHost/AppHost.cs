using BuzzTalk.AppHost;
using BuzzTalk.Publishing;

var builder = DistributedApplication.CreateBuilder(args);

await builder.AddBuzzTalkAsync();

var app = builder.Build();
await app.RunAsync();
return BundlePublishingExtensions.ExitCode(app, builder.Configuration);
