namespace BuzzTalk.Discovery.Configuration;

public enum GcpCredentialKind
{
    /// <summary>GOOGLE_APPLICATION_CREDENTIALS, gcloud's well-known file, then the metadata server.</summary>
    ApplicationDefault,

    /// <summary>A service-account key file (<see cref="GcpOptions.KeyFile"/>).</summary>
    ServiceAccountKeyFile,

    /// <summary>The GCE metadata server of the instance Discovery runs on.</summary>
    MetadataServer,
}
