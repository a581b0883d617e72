namespace BuzzTalk.Publishing;

/// <summary>How a published container asks its own health path.</summary>
public enum HealthProbe
{
    /// <summary><c>wget -q -O -</c>: nginx and busybox images have it.</summary>
    Wget,

    /// <summary>
    /// One HTTP/1.0 GET over bash's <c>/dev/tcp</c> (see <see cref="Stack.StackFileGenerator.BashProbe"/>):
    /// ~7 ms of CPU, for services whose CPU limit makes starting a client costly.
    /// </summary>
    BashTcp,
}
