using System.Text.Json.Serialization;

namespace BuzzTalk.Scaler.State;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, MaxDepth = 8)]
[JsonSerializable(typeof(DecisionStateSnapshot))]
internal sealed partial class DecisionStateJsonContext : JsonSerializerContext;
