using System.Text.Json.Serialization;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer;

/// <summary>Source-generated JSON for <c>--output json</c> and the service API (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(FleetReport))]
[JsonSerializable(typeof(InstanceStatus))]
[JsonSerializable(typeof(List<InstanceStatus>))]
[JsonSerializable(typeof(InstancePlan))]
[JsonSerializable(typeof(List<InstancePlan>))]
[JsonSerializable(typeof(BuzzTalk.Deployer.Service.OperationView))]
[JsonSerializable(typeof(BuzzTalk.Deployer.Service.DeployRequest))]
[JsonSerializable(typeof(BuzzTalk.Deployer.Service.RollbackRequest))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
public sealed partial class DeployerJsonContext : JsonSerializerContext;
