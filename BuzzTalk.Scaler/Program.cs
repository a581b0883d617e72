using BuzzTalk.Scaler.Extensions;
using BuzzTalk.Scaler.Webhooks;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddScaler();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapScalerEndpoints();

app.Run();
