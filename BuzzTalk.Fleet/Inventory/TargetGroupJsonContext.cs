using System.Text.Json.Serialization;

namespace BuzzTalk.Fleet.Inventory;

/// <summary>Source-generated JSON for target groups: no reflection, so Native AOT safe.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(List<TargetGroup>))]
[JsonSerializable(typeof(IReadOnlyList<TargetGroup>))]
public sealed partial class TargetGroupJsonContext : JsonSerializerContext;
