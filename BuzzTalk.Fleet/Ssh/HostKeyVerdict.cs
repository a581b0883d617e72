namespace BuzzTalk.Fleet.Ssh;

public enum HostKeyVerdict
{
    /// <summary>Listed with exactly this key.</summary>
    Trusted,

    /// <summary>Not listed at all.</summary>
    Unknown,

    /// <summary>Listed with another key: a reinstalled host or a man in the middle.</summary>
    Changed,

    /// <summary>This key is marked <c>@revoked</c>.</summary>
    Revoked,
}
