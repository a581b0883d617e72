using BuzzTalk.AppHost.Runtime;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.AppHost;

internal static partial class AppHostLog
{
    [LoggerMessage(1, LogLevel.Information, "Local runtime: {Runtime}, because {Reason}. State directory: {StateDirectory}")]
    public static partial void RuntimeChosen(ILogger logger, LocalRuntime runtime, string reason, string stateDirectory);
}
