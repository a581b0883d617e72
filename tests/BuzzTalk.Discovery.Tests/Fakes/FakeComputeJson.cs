using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// The JSON bodies of the Compute Engine v1 API, key for key and in the order of the captures in
/// <c>Fakes/Reference/</c> (Compute v1 discovery document schemas). Resource URLs name Google's host, not the fake's.
/// </summary>
internal static class FakeComputeJson
{
    public const string ApiRoot = "https://www.googleapis.com/compute/v1/";

    /// <summary>Google pretty-prints with a one-space indent and leaves quotes and slashes unescaped.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const string CreationTimestamp = "2025-05-28T09:12:44.103-07:00";
    private const string LastStartTimestamp = "2025-05-28T09:12:52.870-07:00";
    private const string LastStopTimestamp = "2025-06-03T06:41:10.512-07:00";

    /// <summary>A stable 12-digit project number for a project id (as in <c>123456789012-compute@…</c>).</summary>
    public static string ProjectNumber(string project)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(project));
        var number = (BinaryPrimitives.ReadUInt64LittleEndian(hash) % 900_000_000_000UL) + 100_000_000_000UL;
        return number.ToString(CultureInfo.InvariantCulture);
    }

    public static string RegionOf(string zone) => zone.LastIndexOf('-') is var dash and > 0 ? zone[..dash] : zone;

    public static string TemplateName(string group) => group + "-tmpl";

    public static JsonObject Instance(string project, FakeInstance instance)
    {
        var zoneUrl = $"{ApiRoot}projects/{project}/zones/{instance.Zone}";
        var number = ProjectNumber(project);

        var accessConfig = new JsonObject
        {
            ["kind"] = "compute#accessConfig",
            ["type"] = "ONE_TO_ONE_NAT",
            ["name"] = "External NAT",
            ["networkTier"] = "PREMIUM",
        };
        if (instance.NatIp is not null)
        {
            accessConfig["natIP"] = instance.NatIp;
        }

        var metadataItems = new JsonArray();
        if (instance.ManagedGroupUrl is { } createdBy)
        {
            var group = createdBy[(createdBy.LastIndexOf('/') + 1)..];
            metadataItems.Add(KeyValue("instance-template", $"projects/{number}/global/instanceTemplates/{TemplateName(group)}"));
            metadataItems.Add(KeyValue("created-by", createdBy));
        }

        metadataItems.Add(KeyValue("enable-oslogin", "TRUE"));
        foreach (var (key, value) in instance.Metadata ?? new Dictionary<string, string>())
        {
            metadataItems.Add(KeyValue(key, value));
        }

        var labels = new JsonObject();
        foreach (var (key, value) in instance.Labels ?? new Dictionary<string, string> { ["env"] = "test" })
        {
            labels[key] = value;
        }

        var json = new JsonObject
        {
            ["kind"] = "compute#instance",
            ["id"] = instance.Id,
            ["creationTimestamp"] = CreationTimestamp,
            ["name"] = instance.Name,
            ["tags"] = Tags(instance.Tags ?? ["http-server"]),
            ["machineType"] = $"{zoneUrl}/machineTypes/{instance.MachineType}",
            ["status"] = instance.Status,
            ["zone"] = zoneUrl,
            ["canIpForward"] = false,
            ["networkInterfaces"] = new JsonArray(new JsonObject
            {
                ["kind"] = "compute#networkInterface",
                ["network"] = $"{ApiRoot}projects/{project}/global/networks/default",
                ["subnetwork"] = $"{ApiRoot}projects/{project}/regions/{RegionOf(instance.Zone)}/subnetworks/default",
                ["networkIP"] = instance.PrivateIp,
                ["name"] = "nic0",
                ["accessConfigs"] = new JsonArray(accessConfig),
                ["fingerprint"] = "Xp0X1k3a7Hc=",
                ["stackType"] = "IPV4_ONLY",
            }),
            ["disks"] = new JsonArray(new JsonObject
            {
                ["kind"] = "compute#attachedDisk",
                ["type"] = "PERSISTENT",
                ["mode"] = "READ_WRITE",
                ["source"] = $"{zoneUrl}/disks/{instance.Name}",
                ["deviceName"] = "persistent-disk-0",
                ["index"] = 0,
                ["boot"] = true,
                ["autoDelete"] = true,
                ["interface"] = "SCSI",
                ["diskSizeGb"] = "10",
                ["architecture"] = "X86_64",
            }),
            ["metadata"] = new JsonObject { ["kind"] = "compute#metadata", ["fingerprint"] = "kx9bqJ3Rc1E=", ["items"] = metadataItems },
            ["serviceAccounts"] = new JsonArray(new JsonObject
            {
                ["email"] = $"{number}-compute@developer.gserviceaccount.com",
                ["scopes"] = new JsonArray("https://www.googleapis.com/auth/cloud-platform"),
            }),
            ["selfLink"] = $"{zoneUrl}/instances/{instance.Name}",
            ["scheduling"] = instance.Spot
                ? new JsonObject
                {
                    ["onHostMaintenance"] = "TERMINATE",
                    ["automaticRestart"] = false,
                    ["preemptible"] = true,
                    ["provisioningModel"] = "SPOT",
                    ["instanceTerminationAction"] = "STOP",
                }
                : new JsonObject
                {
                    ["onHostMaintenance"] = "MIGRATE",
                    ["automaticRestart"] = true,
                    ["preemptible"] = false,
                    ["provisioningModel"] = "STANDARD",
                },
            ["cpuPlatform"] = "Intel Broadwell",
            ["labels"] = labels,
            ["labelFingerprint"] = "Lx1QyM4Nh2g=",
            ["startRestricted"] = false,
            ["deletionProtection"] = false,
            ["fingerprint"] = "q2W3eR4tY5u=",
            ["lastStartTimestamp"] = LastStartTimestamp,
            ["satisfiesPzi"] = true,
        };
        if (labels.Count == 0)
        {
            json.Remove("labels"); // as Google answers for a VM without labels
        }

        if (instance.Status is "STOPPING" or "STOPPED" or "SUSPENDED" or "TERMINATED")
        {
            json["lastStopTimestamp"] = LastStopTimestamp;
        }

        return json;
    }

    /// <summary><c>compute#instanceList</c>; the <c>items</c> key is absent when there are none.</summary>
    public static JsonObject InstanceList(string project, string zone, IEnumerable<JsonObject> instances, string? nextPageToken)
    {
        var json = new JsonObject { ["kind"] = "compute#instanceList", ["id"] = $"projects/{project}/zones/{zone}/instances" };
        AddItems(json, "items", instances);
        AddNextPageToken(json, nextPageToken);
        json["selfLink"] = $"{ApiRoot}projects/{project}/zones/{zone}/instances";
        return json;
    }

    /// <summary>
    /// <c>compute#instanceAggregatedList</c>: each scope (<c>zones/x</c>) holds <c>{"instances":[…]}</c>, or the
    /// <c>NO_RESULTS_ON_PAGE</c> warning when none of its instances is on this page.
    /// </summary>
    public static JsonObject AggregatedList(string project, IEnumerable<(string Zone, List<JsonObject> Instances)> scopes, string? nextPageToken) =>
        Aggregated("compute#instanceAggregatedList", project, "instances", scopes, nextPageToken);

    /// <summary>
    /// <c>compute#operationAggregatedList</c> (<c>globalOperations.aggregatedList</c>), as Google documents it: each scope
    /// holds <c>{"operations":[…]}</c> or the <c>NO_RESULTS_ON_PAGE</c> warning, as the instance list.
    /// </summary>
    public static JsonObject OperationAggregatedList(string project, IEnumerable<(string Zone, List<JsonObject> Operations)> scopes, string? nextPageToken) =>
        Aggregated("compute#operationAggregatedList", project, "operations", scopes, nextPageToken);

    /// <summary>
    /// A <c>compute#operation</c> in the documented key order. A preemption is a system event: <c>user</c>
    /// <c>system</c>, <c>DONE</c> at once, named <c>systemevent-…</c>. Times are RFC 3339 in Google's Pacific offset.
    /// </summary>
    public static JsonObject Operation(string project, FakeOperation operation)
    {
        var zoneUrl = $"{ApiRoot}projects/{project}/zones/{operation.Zone}";
        var json = new JsonObject
        {
            ["kind"] = "compute#operation",
            ["id"] = OperationId(project, operation),
            ["name"] = operation.Name,
            ["zone"] = zoneUrl,
            ["operationType"] = operation.OperationType,
            ["targetLink"] = $"{zoneUrl}/instances/{operation.TargetName}",
        };
        if (operation.TargetId is not null)
        {
            json["targetId"] = operation.TargetId;
        }

        json["status"] = "DONE";
        json["user"] = "system";
        json["progress"] = 100;
        if (operation.InsertTime is { } inserted)
        {
            json["insertTime"] = Rfc3339(inserted);
            json["startTime"] = Rfc3339(inserted);
            json["endTime"] = Rfc3339(inserted.AddMilliseconds(125));
        }

        json["selfLink"] = $"{zoneUrl}/operations/{operation.Name}";
        return json;
    }

    /// <summary>RegionInstanceGroupManagersListInstancesResponse: <c>managedInstances</c> (absent when none) and <c>nextPageToken</c>.</summary>
    public static JsonObject ManagedInstances(string project, string group, IEnumerable<FakeManagedMember> members, string? nextPageToken)
    {
        var json = new JsonObject();
        AddItems(json, "managedInstances", members.Select(member => ManagedInstance(project, group, member)));
        AddNextPageToken(json, nextPageToken);
        return json;
    }

    private static JsonObject ManagedInstance(string project, string group, FakeManagedMember member)
    {
        var json = new JsonObject { ["instance"] = $"{ApiRoot}projects/{project}/zones/{member.Zone}/instances/{member.Name}" };
        if (member.Id is not null)
        {
            json["id"] = member.Id;
        }

        if (member.InstanceStatus is not null)
        {
            json["instanceStatus"] = member.InstanceStatus;
        }

        json["currentAction"] = member.CurrentAction;
        json["name"] = member.Name;
        json["version"] = new JsonObject { ["instanceTemplate"] = $"{ApiRoot}projects/{project}/global/instanceTemplates/{TemplateName(group)}" };
        if (member.InstanceStatus == "RUNNING")
        {
            json["instanceHealth"] = new JsonArray(new JsonObject
            {
                ["healthCheck"] = $"{ApiRoot}projects/{project}/global/healthChecks/{group}-hc",
                ["detailedHealthState"] = "HEALTHY",
            });
        }
        else if (member.InstanceStatus is null && member.CurrentAction == "CREATING")
        {
            json["lastAttempt"] = new JsonObject
            {
                ["errors"] = new JsonObject
                {
                    ["errors"] = new JsonArray(new JsonObject
                    {
                        ["code"] = "ZONE_RESOURCE_POOL_EXHAUSTED",
                        ["message"] = $"The zone 'projects/{project}/zones/{member.Zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.",
                    }),
                },
            };
        }

        return json;
    }

    /// <summary>The body of a failed call: <c>{"error":{"code","message","errors":[{message,domain,reason,…}],status?}}</c>.</summary>
    public static JsonObject Error(int code, string message, string reason, string? status = null, string? itemMessage = null, bool inAuthorizationHeader = false)
    {
        var item = new JsonObject { ["message"] = itemMessage ?? message, ["domain"] = "global", ["reason"] = reason };
        if (inAuthorizationHeader)
        {
            item["location"] = "Authorization";
            item["locationType"] = "header";
        }

        var error = new JsonObject { ["code"] = code, ["message"] = message, ["errors"] = new JsonArray(item) };
        if (status is not null)
        {
            error["status"] = status;
        }

        return new JsonObject { ["error"] = error };
    }

    public static JsonObject NotFound(string resource) =>
        Error(404, $"The resource '{resource}' was not found", "notFound");

    public static JsonObject Invalid(string message) => Error(400, message, "invalid");

    /// <summary>401 for a call with no bearer token.</summary>
    public static JsonObject LoginRequired() => Error(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "required",
        "UNAUTHENTICATED",
        "Login Required.",
        inAuthorizationHeader: true);

    /// <summary>401 for a bearer token Google does not know (or that expired).</summary>
    public static JsonObject InvalidCredentials() => Error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "authError",
        "UNAUTHENTICATED",
        "Invalid Credentials",
        inAuthorizationHeader: true);

    /// <summary>The body for an injected failure of a call on <paramref name="resource"/> needing <paramref name="permission"/>.</summary>
    public static JsonObject Failure(int status, string project, string permission, string resource) => status switch
    {
        400 => Error(400, "Bad Request", "badRequest"),
        401 => InvalidCredentials(),
        403 => Error(403, $"Required '{permission}' permission for '{resource}'", "forbidden"),
        404 => NotFound(resource),
        429 => Error(
            429,
            $"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'compute.googleapis.com' for consumer 'project_number:{ProjectNumber(project)}'.",
            "rateLimitExceeded",
            "RESOURCE_EXHAUSTED"),
        500 => Error(500, "Internal error. Please try again or contact Google Support. (Code: '5A2C2C3B3E1F0.A1B2C3.D4E5F6A7')", "backendError"),
        503 => Error(503, "The service is currently unavailable.", "backendError"),
        >= 500 => Error(status, ReasonPhrases.GetReasonPhrase(status), "backendError"),
        _ => Error(status, ReasonPhrases.GetReasonPhrase(status), "invalid"),
    };

    /// <summary>An instance without network tags has only the fingerprint.</summary>
    private static JsonObject Tags(IReadOnlyList<string> tags)
    {
        var json = new JsonObject();
        if (tags.Count > 0)
        {
            json["items"] = new JsonArray([.. tags.Select(tag => (JsonNode)tag)]);
        }

        json["fingerprint"] = "FYLDgkTKlA4=";
        return json;
    }

    private static JsonObject KeyValue(string key, string value) => new() { ["key"] = key, ["value"] = value };

    private static JsonObject Aggregated(string kind, string project, string collection, IEnumerable<(string Zone, List<JsonObject> Items)> scopes, string? nextPageToken)
    {
        var items = new JsonObject();
        foreach (var (zone, list) in scopes)
        {
            var scope = "zones/" + zone;
            items[scope] = list.Count > 0
                ? new JsonObject { [collection] = new JsonArray([.. list]) }
                : new JsonObject
                {
                    ["warning"] = new JsonObject
                    {
                        ["code"] = "NO_RESULTS_ON_PAGE",
                        ["message"] = $"There are no results for scope '{scope}' on this page.",
                        ["data"] = new JsonArray(KeyValue("scope", scope)),
                    },
                };
        }

        var json = new JsonObject { ["kind"] = kind, ["id"] = $"projects/{project}/aggregated/{collection}" };
        if (items.Count > 0)
        {
            json["items"] = items;
        }

        AddNextPageToken(json, nextPageToken);
        json["selfLink"] = $"{ApiRoot}projects/{project}/aggregated/{collection}";
        return json;
    }

    /// <summary>A stable uint64 id for an operation, as Google gives every operation one.</summary>
    private static string OperationId(string project, FakeOperation operation)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{project}/{operation.Zone}/{operation.Name}"));
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>2026-12-05T00:12:34.567-08:00</c>: Google answers in Pacific time with milliseconds.</summary>
    private static string Rfc3339(DateTimeOffset at) =>
        at.ToOffset(TimeSpan.FromHours(-8)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static void AddItems(JsonObject json, string name, IEnumerable<JsonObject> items)
    {
        var array = new JsonArray([.. items]);
        if (array.Count > 0)
        {
            json[name] = array;
        }
    }

    private static void AddNextPageToken(JsonObject json, string? nextPageToken)
    {
        if (nextPageToken is not null)
        {
            json["nextPageToken"] = nextPageToken;
        }
    }
}
