using System.Net;
using System.Net.Sockets;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Strict address parsing. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts what no inventory
/// should publish: <c>127.1</c>, <c>0x23.1.2.3</c>, octal-looking <c>034.1.2.3</c>, scoped <c>fe80::1%eth0</c>;
/// and a bare IPv6 address as a target breaks Prometheus ("too many colons").
/// </summary>
public static class IpAddressText
{
    /// <summary>Four decimal numbers 0-255 without leading zeros, separated by dots, and nothing else.</summary>
    public static bool IsCanonicalIPv4(string? text)
    {
        if (text is null || text.Length is < 7 or > 15)
        {
            return false;
        }

        var parts = 0;
        var value = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || ++parts > 3)
                {
                    return false;
                }

                (value, digits) = (0, 0);
                continue;
            }

            if (c is < '0' or > '9' || (digits == 1 && value == 0))
            {
                return false; // not a digit, or a leading zero
            }

            value = (value * 10) + (c - '0');
            if (++digits > 3 || value > 255)
            {
                return false;
            }
        }

        return parts == 3 && digits > 0;
    }

    /// <summary>
    /// For configured instances: a canonical IPv4 address, or an IPv6 address, bare or in brackets, without a
    /// zone index. Returns the canonical text (IPv6 bare and compressed); the target is bracketed when written.
    /// </summary>
    public static bool TryCanonical(string? text, out string canonical)
    {
        canonical = "";
        if (IsCanonicalIPv4(text))
        {
            canonical = text!;
            return true;
        }

        if (string.IsNullOrEmpty(text) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        var inner = text is ['[', .. var middle, ']'] ? middle : text;
        if (!inner.Contains(':', StringComparison.Ordinal) || inner.Contains('[', StringComparison.Ordinal)
            || !IPAddress.TryParse(inner, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        canonical = address.ToString();
        return true;
    }
}
