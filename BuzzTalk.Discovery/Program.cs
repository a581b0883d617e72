using BuzzTalk.Discovery.Extensions;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddDiscovery();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapDiscovery();

app.Run();
