namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// A Discord webhook execution body. Limits (checked by <see cref="DiscordFormatter"/>): content
/// 2000 characters, 10 embeds, 6000 characters across all embeds.
/// </summary>
public sealed record DiscordMessage(string Content, IReadOnlyList<DiscordEmbed>? Embeds)
{
    public const int MaxContent = 2000;
    public const int MaxEmbeds = 10;
    public const int MaxEmbedsTotal = 6000;

    /// <summary>Nothing an alert says may ping anyone (@everyone, roles, users).</summary>
    public DiscordAllowedMentions AllowedMentions { get; init; } = new([]);
}
