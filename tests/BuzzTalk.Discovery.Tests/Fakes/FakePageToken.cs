using System.Globalization;
using System.Text;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// Opaque page tokens: standard base64 (with <c>+</c>, <c>/</c> and <c>=</c>, like Google's, so clients must
/// escape them in the query) of the key of the first item of the next page (<c>zones/z/instances/n</c>,
/// <c>zones/z/operations/n</c>).
/// </summary>
internal static class FakePageToken
{
    public const string Instances = "instances";
    public const string Operations = "operations";
    private const string OffsetPrefix = "managedInstances/";
    private const string Marker = "fake-gcp-page:";

    public static string ForInstance(FakeInstance next) => ForItem(Instances, next.Zone, next.Name);

    public static string ForItem(string collection, string zone, string name) => Encode($"zones/{zone}/{collection}/{name}");

    public static string ForOffset(int offset) => Encode(OffsetPrefix + offset.ToString(CultureInfo.InvariantCulture));

    public static bool TryReadInstance(string token, out string zone, out string name) => TryReadItem(token, Instances, out zone, out name);

    public static bool TryReadItem(string token, string collection, out string zone, out string name)
    {
        zone = name = "";
        var parts = Decode(token)?.Split('/');
        if (parts is not ["zones", { Length: > 0 } z, var c, { Length: > 0 } n] || c != collection)
        {
            return false;
        }

        (zone, name) = (z, n);
        return true;
    }

    public static bool TryReadOffset(string token, out int offset)
    {
        offset = 0;
        var key = Decode(token);
        return key is not null && key.StartsWith(OffsetPrefix, StringComparison.Ordinal)
            && int.TryParse(key.AsSpan(OffsetPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    private static string Encode(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Marker + key));

    private static string? Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith(Marker, StringComparison.Ordinal) ? text[Marker.Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
