using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.ServiceDefaults.Http;

/// <summary>The members of an RFC 9457 problem the services fill.</summary>
public sealed record ProblemBody(string Type, string Title, int Status, string Detail);

/// <summary>Source-generated: Native AOT needs no reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ProblemJsonContext : JsonSerializerContext;
