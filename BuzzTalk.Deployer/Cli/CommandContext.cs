using System.Text.Json;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Env;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary>
/// What every command shares: the global options (settings file, output format, the instances
/// named), where output goes, the settings and inventory loaded with clear errors, and the
/// redaction of secret values from everything printed. A caller that shows progress itself (the
/// AppHost's deploy step) passes <paramref name="progress"/>: each instance's steps, redacted.
/// </summary>
public sealed class CommandContext(FileInfo? config, OutputFormat format, IReadOnlyList<string> only, TextWriter stdout, TextWriter stderr,
    Action<string, string>? progress = null)
{
    private Func<string, string> _redact = text => text;

    public OutputFormat Format => format;

    public TextWriter Out => stdout;

    public TextWriter Error => stderr;

    /// <summary>Where the caller wants each instance's steps (instance, step), if it shows them itself.</summary>
    public Action<string, string>? Progress => progress;

    /// <summary>Tables and colours for people, written to <see cref="Out"/>.</summary>
    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stdout),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
    });

    /// <summary>The stack the bundle names when no bundle is read (rollback, status, lease).</summary>
    public const string DefaultStack = "buzztalk";

    /// <summary>The text with every secret value this command has seen replaced.</summary>
    public string Redact(string text) => _redact(text);

    /// <summary>From now on, printed text never shows a secret value of these env files.</summary>
    public void RedactSecretsOf(IEnumerable<byte[]> envFiles)
    {
        ArgumentNullException.ThrowIfNull(envFiles);
        foreach (var content in envFiles)
        {
            Func<string, string> redact;
            try
            {
                redact = SecretRedactor.RedactedSecrets(EnvFile.Parse(content));
            }
            catch (EnvFileInvalidException)
            {
                // Written by render-env, so it parses; an edited one is still uploaded as is, and
                // its values are still kept out of the output.
                redact = SecretRedactor.RedactedLines(System.Text.Encoding.UTF8.GetString(content));
            }

            var previous = _redact;
            _redact = text => redact(previous(text));
        }
    }

    /// <summary>The settings, or null after printing why they do not load or validate.</summary>
    public DeployerOptions? LoadOptions()
    {
        try
        {
            var options = DeployerCli.LoadOptions(config);
            if (DeployerOptionsValidator.Validate(options, needsSsh: true) is { Count: > 0 } errors)
            {
                Fail("settings:\n  " + string.Join("\n  ", errors));
                return null;
            }

            return options;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or InvalidDataException or FormatException)
        {
            Fail($"settings: {ex.Message}");
            return null;
        }
    }

    /// <summary>The instances to act on (<c>--instance</c> narrows them), or null after printing why not.</summary>
    public async Task<IReadOnlyList<DeployTarget>?> TargetsAsync(DeployerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await InventoryResolver.ResolveAsync(options, only, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or HttpRequestException or JsonException or TaskCanceledException)
        {
            Fail($"inventory: {ex.Message}");
            return null;
        }
    }

    /// <summary>Settings and instances together, for the commands that need nothing else.</summary>
    public async Task<(DeployerOptions Options, IReadOnlyList<DeployTarget> Targets)?> LoadFleetAsync(CancellationToken cancellationToken) =>
        LoadOptions() is { } options && await TargetsAsync(options, cancellationToken).ConfigureAwait(false) is { } targets
            ? (options, targets)
            : null;

    /// <summary>Prints the error and returns the bad-input exit code (nothing was changed).</summary>
    public int Fail(string message)
    {
        stderr.WriteLine($"error: {message}");
        return DeployerCli.BadInput;
    }
}
