namespace BuzzTalk.Publishing;

/// <summary>The connection names of the app's MySQL and Redis, which Discovery probes for Prometheus' blackbox exporter.</summary>
public sealed record ProbedConnections(string MySql, string Redis);
