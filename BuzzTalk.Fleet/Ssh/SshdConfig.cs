using System.Globalization;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// An <c>sshd_config</c> for an sshd on loopback that the fleet's clients reach as they reach an
/// instance: key authentication only, one allowed user, SFTP in-process. Used by the local fleet's
/// instance and by the tests' servers.
/// </summary>
public static class SshdConfig
{
    public static string Render(int port, string hostKeyFile, string pidFile, string authorizedKeysFile, string user, string home) => $"""
        Port {port.ToString(CultureInfo.InvariantCulture)}
        ListenAddress 127.0.0.1
        HostKey {hostKeyFile}
        PidFile {pidFile}
        AuthorizedKeysFile {authorizedKeysFile}
        StrictModes no
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        UsePAM no
        AllowUsers {user}
        MaxStartups 100
        MaxSessions 100
        # The Deployer uploads files by SFTP; in-process, so no sftp-server binary path to find.
        Subsystem sftp internal-sftp
        # Sessions start in this directory, not the login user's home: that user's shell startup
        # files (a pyenv init waiting on a stale lock, say) are not the instance's.
        SetEnv HOME={home}

        """;
}
