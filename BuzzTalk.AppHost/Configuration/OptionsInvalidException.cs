namespace BuzzTalk.AppHost.Configuration;

/// <summary>
/// Every configuration error at once, so one start-up tells the user all of them. An invalid
/// operation for the settings given, so the pipeline's steps report it like any other.
/// </summary>
public sealed class OptionsInvalidException(IReadOnlyList<string> errors)
    : InvalidOperationException("Invalid BuzzTalk configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
