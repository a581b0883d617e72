namespace BuzzTalk.Bench;

/// <summary>Percentiles as the figures report them.</summary>
public static class Percentiles
{
    /// <summary>The nearest-rank percentile (<paramref name="p"/> from 0 to 1); NaN for no values.</summary>
    public static double NearestRank(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
