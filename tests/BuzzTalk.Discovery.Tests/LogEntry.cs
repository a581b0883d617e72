using Microsoft.Extensions.Logging;

namespace BuzzTalk.Discovery.Tests;

public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);
