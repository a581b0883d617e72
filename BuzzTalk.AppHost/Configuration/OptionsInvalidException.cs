namespace BuzzTalk.AppHost.Configuration;

/// <summary>Every configuration error at once, so one start-up tells the user all of them.</summary>
public sealed class OptionsInvalidException(IReadOnlyList<string> errors)
    : Exception("Invalid BuzzTalk configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
