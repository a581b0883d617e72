using System.Security.Cryptography;
using System.Text;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Tests.Ssh;

public sealed class KnownHostsTests
{
    private static readonly byte[] s_key = [0, 0, 0, 11, .. "ssh-ed25519"u8, 1, 2, 3];
    private static readonly byte[] s_otherKey = [0, 0, 0, 11, .. "ssh-ed25519"u8, 9, 9, 9];

    [Fact]
    public void A_listed_key_is_trusted_and_anything_else_for_that_host_is_a_change()
    {
        var known = KnownHosts.Parse(KnownHosts.Line("10.0.0.5", 2222, "ssh-ed25519", s_key));

        Assert.Equal(HostKeyVerdict.Trusted, known.Verify("10.0.0.5", 2222, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Changed, known.Verify("10.0.0.5", 2222, "ssh-ed25519", s_otherKey));
        Assert.Equal(HostKeyVerdict.Changed, known.Verify("10.0.0.5", 2222, "ecdsa-sha2-nistp256", s_key));
        Assert.Equal(HostKeyVerdict.Unknown, known.Verify("10.0.0.5", 22, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Unknown, known.Verify("10.0.0.6", 2222, "ssh-ed25519", s_key));
    }

    [Fact]
    public void Hashed_host_names_match_as_ssh_keygen_writes_them()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // the format's own algorithm
        var hash = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes("[10.0.0.5]:2222"));
#pragma warning restore CA5350
        var known = KnownHosts.Parse($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)} ssh-ed25519 {Convert.ToBase64String(s_key)}");

        Assert.Equal(HostKeyVerdict.Trusted, known.Verify("10.0.0.5", 2222, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Unknown, known.Verify("10.0.0.7", 2222, "ssh-ed25519", s_key));
    }

    [Fact]
    public void Comments_blank_lines_several_names_wildcards_and_revoked_keys_are_understood()
    {
        var known = KnownHosts.Parse($"""
            # fleet
            web-1,10.0.0.5 ssh-ed25519 {Convert.ToBase64String(s_key)}

            @revoked * ssh-ed25519 {Convert.ToBase64String(s_otherKey)}
            garbage line
            """);

        Assert.Equal(HostKeyVerdict.Trusted, known.Verify("web-1", 22, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Trusted, known.Verify("10.0.0.5", 22, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Revoked, known.Verify("10.0.0.5", 22, "ssh-ed25519", s_otherKey));
        Assert.Equal(HostKeyVerdict.Unknown, known.Verify("10.0.0.9", 22, "ssh-ed25519", s_key));
    }

    [Fact]
    public void Wildcards_and_negations_select_hosts()
    {
        var known = KnownHosts.Parse($"10.0.0.*,!10.0.0.13 ssh-ed25519 {Convert.ToBase64String(s_key)}");

        Assert.Equal(HostKeyVerdict.Trusted, known.Verify("10.0.0.12", 22, "ssh-ed25519", s_key));
        Assert.Equal(HostKeyVerdict.Unknown, known.Verify("10.0.0.13", 22, "ssh-ed25519", s_key));
    }

    [Fact]
    public void A_revoked_key_is_refused_even_when_also_listed()
    {
        var known = KnownHosts.Parse($"""
            10.0.0.5 ssh-ed25519 {Convert.ToBase64String(s_key)}
            @revoked 10.0.0.5 ssh-ed25519 {Convert.ToBase64String(s_key)}
            """);

        Assert.Equal(HostKeyVerdict.Revoked, known.Verify("10.0.0.5", 22, "ssh-ed25519", s_key));
    }
}
