namespace BuzzTalk.Scaler.Notifications;

/// <summary>Discord's <c>allowed_mentions</c>; an empty <c>parse</c> list suppresses every mention.</summary>
public sealed record DiscordAllowedMentions(IReadOnlyList<string> Parse);
