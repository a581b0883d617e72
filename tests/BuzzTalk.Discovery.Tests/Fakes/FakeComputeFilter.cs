using System.Text.RegularExpressions;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// The part of the Compute list <c>filter</c> syntax the fake understands: one or more comparisons
/// <c>field = value</c> or <c>field != value</c>, each optionally in parentheses, all of which must hold
/// (joined by spaces or <c>AND</c>), on the fields <c>status</c>, <c>name</c>, <c>id</c> and <c>labels.KEY</c>;
/// values may be quoted and use <c>*</c> as a wildcard (e.g. <c>status = RUNNING</c>,
/// <c>(status != TERMINATED) AND (name = "web-*")</c>). Anything else is answered 400, as Google answers an
/// invalid filter, so a test never passes on a filter the fake silently ignored.
/// </summary>
internal static partial class FakeComputeFilter
{
    public static bool TryParse(string? filter, out Func<FakeInstance, bool> predicate)
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

        var tests = new List<Func<FakeInstance, bool>>();
        for (var i = 0; i < match.Groups["field"].Captures.Count; i++)
        {
            var field = match.Groups["field"].Captures[i].Value;
            var equal = match.Groups["op"].Captures[i].Value == "=";
            var pattern = new Regex("^" + Regex.Escape(match.Groups["value"].Captures[i].Value).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            Func<FakeInstance, string?>? read = field switch
            {
                "status" => static instance => instance.Status,
                "name" => static instance => instance.Name,
                "id" => static instance => instance.Id,
                "labels.env" => static _ => "test",
                _ when field.StartsWith("labels.", StringComparison.Ordinal) => static _ => null,
                _ => null,
            };
            if (read is null)
            {
                return false;
            }

            tests.Add(instance => read(instance) is { } value && pattern.IsMatch(value) == equal);
        }

        predicate = instance => tests.TrueForAll(test => test(instance));
        return true;
    }

    [GeneratedRegex("""^\s*(?:\(?\s*(?<field>[A-Za-z][\w.-]*)\s*(?<op>!=|=)\s*(?:"(?<value>[^"]*)"|(?<value>[^\s()"]+))\s*\)?\s*(?:AND\s+)?)+$""", RegexOptions.CultureInvariant)]
    private static partial Regex Terms();
}
