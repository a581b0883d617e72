namespace BuzzTalk.Scaler.Configuration;

/// <summary>Replica bounds of one scalable service.</summary>
public sealed class ServiceBounds
{
    public int Min { get; set; } = 1;

    public int Max { get; set; } = 2;
}
