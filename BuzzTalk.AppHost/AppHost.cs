using BuzzTalk.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

await builder.AddBuzzTalkAsync();

await builder.Build().RunAsync();
