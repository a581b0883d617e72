namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>The HTTP path a resource answers 200 on when healthy, on its named endpoint: checked locally and in the stack.</summary>
public sealed record HealthPathAnnotation(string Path, string EndpointName) : IResourceAnnotation;
