using System.CommandLine;
using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Env;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>render-env</c>: validates a .env file and writes the per-host env and secret files the bundle's services read.</summary>
public sealed class RenderEnvCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var env = new Option<FileInfo>("--env") { Description = "The .env file.", Required = true };
        var bundle = CommonOptions.Bundle();
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Where to write the per-host files (mode 0600).", Required = true };
        var command = new Command("render-env", "Validate a .env file and write the per-host env and secret files the bundle's services read.")
        {
            env, bundle, outDir,
        };
        command.SetAction((result, ct) => new RenderEnvCommand(globals.ContextFor(result))
            .RunAsync(result.GetValue(env)!, result.GetValue(bundle)!, result.GetValue(outDir)!, ct));
        return command;
    }

    public async Task<int> RunAsync(FileInfo envFile, DirectoryInfo bundleDirectory, DirectoryInfo outDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envFile);
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        ArgumentNullException.ThrowIfNull(outDirectory);
        if (!envFile.Exists)
        {
            return context.Fail($"{envFile.FullName} does not exist.");
        }

        DeployBundle bundle;
        try
        {
            // The bundle says which variables each service reads, and what Discovery probes.
            bundle = DeployBundle.Load(bundleDirectory.FullName);
        }
        catch (BundleInvalidException ex)
        {
            return context.Fail(ex.Message);
        }

        IReadOnlyList<RenderedFile> written;
        try
        {
            written = await EnvRenderer.WriteAsync(outDirectory.FullName, EnvFile.Load(envFile.FullName), bundle.EnvFiles, bundle.Probes, cancellationToken).ConfigureAwait(false);
        }
        catch (EnvFileInvalidException ex)
        {
            // The message names keys and lines, never values.
            return context.Fail($"{envFile.Name}: {ex.Message}");
        }

        foreach (var file in written)
        {
            await context.Out.WriteLineAsync($"wrote {Path.Combine(outDirectory.FullName, file.RelativePath)} (mode {Convert.ToString((int)file.Mode, 8)})").ConfigureAwait(false);
        }

        return DeployerCli.Success;
    }
}
