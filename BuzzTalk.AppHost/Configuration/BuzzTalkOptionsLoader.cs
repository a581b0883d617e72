using System.ComponentModel.DataAnnotations;
using BuzzTalk.Publishing.SpotFleet;
using Microsoft.Extensions.Configuration;

namespace BuzzTalk.AppHost.Configuration;

/// <summary>Binds and validates <see cref="BuzzTalkOptions"/> before any resource is modelled.</summary>
public static class BuzzTalkOptionsLoader
{
    public static BuzzTalkOptions Load(IConfiguration configuration)
    {
        var options = new BuzzTalkOptions();
        try
        {
            configuration.GetSection(BuzzTalkOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsInvalidException([ex.InnerException?.Message ?? ex.Message]);
        }

        var errors = new List<string>();
        // `BuzzTalk:Fleet` is both a value (local) and a section (SSH settings of a real fleet).
        var fleetMode = configuration[$"{BuzzTalkOptions.SectionName}:Fleet"];
        options.IsLocalFleet = string.Equals(fleetMode, LocalFleetOptions.Mode, StringComparison.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(fleetMode) && !options.IsLocalFleet)
        {
            errors.Add($"BuzzTalk:Fleet: '{fleetMode}' is not a fleet mode; the one mode is '{LocalFleetOptions.Mode}' (or set BuzzTalk:Fleet:SshUser/PrivateKeyFile/KnownHostsFile).");
        }

        if (options.IsLocalFleet)
        {
            Collect(options.LocalFleet, LocalFleetOptions.SectionName, errors);
            if (options.Fleet.IsConfigured)
            {
                errors.Add("BuzzTalk:Fleet=local makes its own key and known_hosts; remove BuzzTalk:Fleet:PrivateKeyFile.");
            }
        }

        Collect(options, "BuzzTalk", errors);
        Collect(options.Images, "BuzzTalk:Images", errors);
        Collect(options.RemoteDatabase, "BuzzTalk:RemoteDatabase", errors);
        Collect(options.Deploy, FleetDeployOptions.SectionName, errors);
        if (options.Fleet.IsConfigured)
        {
            foreach (var (name, file) in new[] { ("PrivateKeyFile", options.Fleet.PrivateKeyFile), ("KnownHostsFile", options.Fleet.KnownHostsFile) })
            {
                if (file.Length == 0 || !File.Exists(file))
                {
                    errors.Add($"BuzzTalk:Fleet:{name} must name an existing file (host keys are always pinned).");
                }
            }
        }

        if (options.RemoteDatabase.IsEnabled)
        {
            var remote = options.RemoteDatabase;
            foreach (var (name, file) in new[] { ("PrivateKeyFile", remote.PrivateKeyFile), ("KnownHostsFile", remote.KnownHostsFile) })
            {
                if (file.Length == 0 || !File.Exists(file))
                {
                    errors.Add($"BuzzTalk:RemoteDatabase:{name} must name an existing file (host keys are always pinned).");
                }
            }

            if (remote.User.Length == 0)
            {
                errors.Add("BuzzTalk:RemoteDatabase:User is required.");
            }
        }
        foreach (var (name, image) in new[]
        {
            ("Backend", options.Images.Backend), ("Frontend", options.Images.Frontend),
            ("Redis", options.Images.Redis), ("MySql", options.Images.MySql),
            ("Edge", options.Images.Edge), ("NodeExporter", options.Images.NodeExporter), ("Cadvisor", options.Images.Cadvisor),
        })
        {
            Collect(image, $"BuzzTalk:Images:{name}", errors);
        }

        if (errors.Count > 0)
        {
            throw new OptionsInvalidException(errors);
        }

        return options;
    }

    private static void Collect(object instance, string prefix, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            errors.AddRange(results.Select(r => $"{prefix}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
