using System.Diagnostics.Metrics;

namespace BuzzTalk.Discovery.Tests.Refresh;

/// <summary>A minimal <see cref="IMeterFactory"/> for constructing metrics outside a host.</summary>
public sealed class ServiceMeters : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
