using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuzzTalk.Publishing.Terraform;

/// <summary>
/// Small helpers for writing Terraform's JSON syntax: interpolation strings for references and the
/// one serializer setting every <c>*.tf.json</c> file uses, so output is byte-identical across runs.
/// </summary>
internal static class TerraformJson
{
    // Relaxed escaping keeps "+", "<", ">" and "'" readable; the files are never embedded in HTML.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Indented JSON with LF line endings and a trailing newline (insertion order kept).</summary>
    public static string Serialize(JsonObject document) => document.ToJsonString(Options) + "\n";

    /// <summary><c>${var.name}</c>.</summary>
    public static string Var(string name) => "${var." + name + "}";

    /// <summary><c>${type.name.attribute}</c> for a resource address <c>type.name</c>.</summary>
    public static string Ref(string address, string attribute) => "${" + address + "." + attribute + "}";

    /// <summary>A JSON array of strings (Terraform list of strings).</summary>
    public static JsonArray Strings(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add(value);
        }

        return array;
    }

    /// <summary>Nested blocks are written as arrays of objects, the form that also allows repeats.</summary>
    public static JsonArray Blocks(params JsonObject[] blocks)
    {
        var array = new JsonArray();
        foreach (var block in blocks)
        {
            array.Add(block);
        }

        return array;
    }

    /// <summary>A document of resources: <c>{"resource": {type: {name: body}}}</c>, in the order given.</summary>
    public static JsonObject ResourceDocument(params (string Type, string Name, JsonObject Body)[] resources)
    {
        var byType = new JsonObject();
        foreach (var (type, name, body) in resources)
        {
            if (byType[type] is not JsonObject named)
            {
                named = [];
                byType[type] = named;
            }

            named[name] = body;
        }

        return new JsonObject { ["resource"] = byType };
    }
}
