namespace BuzzTalk.AppHost.Configuration;

/// <summary>Whether the local fleet's demo resource exists and when it starts.</summary>
public enum DemoMode
{
    Off,
    Manual,
    Run,
}
