using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BuzzTalk.AppHost.Tests.Publishing.Terraform;

/// <summary>
/// Checks what <c>terraform validate</c> would (CI has no terraform): every <c>var.X</c>, <c>local.X</c>
/// and <c>google_T.N</c> used in an interpolation or <c>depends_on</c> is declared in the documents.
/// </summary>
internal static partial class TerraformReferenceChecker
{
    /// <summary>One message per undeclared reference or unterminated interpolation; empty when all is well.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<JsonObject> documents)
    {
        var docs = documents.ToList();
        var variables = new HashSet<string>(StringComparer.Ordinal);
        var locals = new HashSet<string>(StringComparer.Ordinal);
        var resources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var doc in docs)
        {
            variables.UnionWith(Keys(doc["variable"]));
            locals.UnionWith(Keys(doc["locals"]));
            if (doc["resource"] is JsonObject byType)
            {
                foreach (var (type, named) in byType)
                {
                    resources.UnionWith(Keys(named).Select(name => $"{type}.{name}"));
                }
            }
        }

        var problems = new List<string>();
        foreach (var doc in docs)
        {
            Walk(doc, null, value =>
            {
                foreach (var expression in Interpolations(value, problems))
                {
                    Check(expression, value, variables, locals, resources, problems);
                }
            }, address =>
            {
                if (!resources.Contains(address))
                {
                    problems.Add($"depends_on names undeclared resource {address}");
                }
            });
        }

        return problems;
    }

    /// <summary>The expressions inside every <c>${...}</c> of a template string (nested ones included in the outer text).</summary>
    public static IReadOnlyList<string> Interpolations(string template, List<string>? problems = null)
    {
        var found = new List<string>();
        var i = 0;
        while ((i = template.IndexOf("${", i, StringComparison.Ordinal)) >= 0)
        {
            if (i > 0 && template[i - 1] == '$')
            {
                i += 2; // "$${" is a literal "${".
                continue;
            }

            var depth = 1;
            var text = new StringBuilder();
            var j = i + 2;
            for (; j < template.Length && depth > 0; j++)
            {
                var c = template[j];
                depth += c switch { '{' => 1, '}' => -1, _ => 0 };
                if (depth > 0)
                {
                    text.Append(c);
                }
            }

            if (depth > 0)
            {
                problems?.Add($"unterminated interpolation in \"{template}\"");
            }

            found.Add(text.ToString());
            i = j;
        }

        return found;
    }

    private static void Check(string expression, string template, HashSet<string> variables, HashSet<string> locals, HashSet<string> resources, List<string> problems)
    {
        foreach (Match m in VarReference().Matches(expression))
        {
            if (!variables.Contains(m.Groups[1].Value))
            {
                problems.Add($"undeclared variable var.{m.Groups[1].Value} in \"{template}\"");
            }
        }

        foreach (Match m in LocalReference().Matches(expression))
        {
            if (!locals.Contains(m.Groups[1].Value))
            {
                problems.Add($"undeclared local local.{m.Groups[1].Value} in \"{template}\"");
            }
        }

        foreach (Match m in ResourceReference().Matches(expression))
        {
            var address = $"{m.Groups[1].Value}.{m.Groups[2].Value}";
            if (!resources.Contains(address))
            {
                problems.Add($"undeclared resource {address} in \"{template}\"");
            }
        }
    }

    private static IEnumerable<string> Keys(JsonNode? node) =>
        node is JsonObject obj ? obj.Select(p => p.Key) : [];

    private static void Walk(JsonNode? node, string? key, Action<string> onString, Action<string> onDependsOn)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (k, child) in obj)
                {
                    Walk(child, k, onString, onDependsOn);
                }

                break;
            case JsonArray array when key == "depends_on":
                foreach (var item in array)
                {
                    onDependsOn(item!.GetValue<string>());
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, null, onString, onDependsOn);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                onString(text);
                break;
        }
    }

    [GeneratedRegex(@"(?<![\w.])var\.([A-Za-z_][\w-]*)")]
    private static partial Regex VarReference();

    [GeneratedRegex(@"(?<![\w.])local\.([A-Za-z_][\w-]*)")]
    private static partial Regex LocalReference();

    [GeneratedRegex(@"(?<![\w.])(google_\w+)\.([A-Za-z_][\w-]*)")]
    private static partial Regex ResourceReference();
}
