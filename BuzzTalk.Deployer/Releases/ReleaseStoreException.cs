namespace BuzzTalk.Deployer.Releases;

/// <summary>Storage, Secret Manager or the metadata server refused or failed a call; the message never holds a secret.</summary>
public sealed class ReleaseStoreException(string message, int? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status, if the service answered.</summary>
    public int? Status { get; } = status;

    /// <summary>412: the record changed since it was read (another deployer recorded first).</summary>
    public bool IsConflict => Status == 412;
}
