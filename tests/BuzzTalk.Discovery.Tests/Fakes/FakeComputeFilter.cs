using System.Text.RegularExpressions;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// The part of the Compute list <c>filter</c> syntax the fake understands: one or more comparisons
/// <c>field = value</c> or <c>field != value</c>, each optionally in parentheses, all of which must hold
/// (joined by spaces or <c>AND</c>), on the fields of <see cref="InstanceField"/> (<c>status</c>, <c>name</c>,
/// <c>id</c>, <c>labels.KEY</c>) or <see cref="OperationField"/> (<c>operationType</c>, <c>status</c>,
/// <c>targetId</c>, <c>name</c>); values may be quoted and use <c>*</c> as a wildcard (e.g. <c>status = RUNNING</c>,
/// <c>(status != TERMINATED) AND (name = "web-*")</c>, <c>operationType="compute.instances.preempted"</c>). Anything
/// else is answered 400, as Google answers an invalid filter, so a test never passes on a filter the fake silently ignored.
/// </summary>
internal static partial class FakeComputeFilter
{
    public static Func<FakeInstance, string?>? InstanceField(string field) => field switch
    {
        "status" => static instance => instance.Status,
        "name" => static instance => instance.Name,
        "id" => static instance => instance.Id,
        "labels.env" => static _ => "test",
        _ when field.StartsWith("labels.", StringComparison.Ordinal) => static _ => null,
        _ => null,
    };

    /// <summary>Every operation the fake serves is <c>DONE</c>, as system events are when they are listed.</summary>
    public static Func<FakeOperation, string?>? OperationField(string field) => field switch
    {
        "operationType" => static operation => operation.OperationType,
        "status" => static _ => "DONE",
        "targetId" => static operation => operation.TargetId,
        "name" => static operation => operation.Name,
        _ => null,
    };

    public static bool TryParse(string? filter, out Func<FakeInstance, bool> predicate) => TryParse(filter, InstanceField, out predicate);

    public static bool TryParse<T>(string? filter, Func<string, Func<T, string?>?> fields, out Func<T, bool> predicate)
    {
        predicate = static _ => true;
        if (string.IsNullOrWhiteSpace(filter))
        {
            return true;
        }

        var match = Terms().Match(filter);
        if (!match.Success)
        {
            return false;
        }

        var tests = new List<Func<T, bool>>();
        for (var i = 0; i < match.Groups["field"].Captures.Count; i++)
        {
            var equal = match.Groups["op"].Captures[i].Value == "=";
            var pattern = new Regex("^" + Regex.Escape(match.Groups["value"].Captures[i].Value).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (fields(match.Groups["field"].Captures[i].Value) is not { } read)
            {
                return false;
            }

            tests.Add(item => read(item) is { } value && pattern.IsMatch(value) == equal);
        }

        predicate = item => tests.TrueForAll(test => test(item));
        return true;
    }

    [GeneratedRegex("""^\s*(?:\(?\s*(?<field>[A-Za-z][\w.-]*)\s*(?<op>!=|=)\s*(?:"(?<value>[^"]*)"|(?<value>[^\s()"]+))\s*\)?\s*(?:AND\s+)?)+$""", RegexOptions.CultureInvariant)]
    private static partial Regex Terms();
}
