using System.Text.Json.Serialization;
using BuzzTalk.Discovery.Gcp;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery;

/// <summary>Source-generated JSON for everything Discovery reads: Native AOT needs no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(List<FleetInstance>))]
[JsonSerializable(typeof(InstanceAggregatedList))]
[JsonSerializable(typeof(ComputeInstance))]
[JsonSerializable(typeof(ManagedInstanceList))]
[JsonSerializable(typeof(OperationAggregatedList))]
[JsonSerializable(typeof(ComputeErrorResponse))]
[JsonSerializable(typeof(GoogleCredentialFile))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenErrorResponse))]
[JsonSerializable(typeof(SavedInventory))]
public sealed partial class DiscoveryJsonContext : JsonSerializerContext;
