namespace BuzzTalk.Scaler.Notifications;

/// <summary>One Discord embed: title at most 256 characters, description at most 4096.</summary>
public sealed record DiscordEmbed(string Title, string Description, int Color)
{
    public const int MaxTitle = 256;
    public const int MaxDescription = 4096;
}
