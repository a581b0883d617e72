namespace BuzzTalk.Scaler.Decisions;

/// <summary>What the seed's rule concluded: the new count, whether it fires, and its <c>scaling</c> label.</summary>
public sealed record SeedDecision(
    int NewContainers,
    bool Trigger,
    string Scaling,
    int CanScaleMemory,
    int CanScaleCpu,
    bool MemoryThreshold,
    bool CpuThreshold);
