#pragma warning disable ASPIREPIPELINES002 // IDeploymentStateManager is experimental in Aspire 13.6

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Aspire.Hosting.Pipelines;

namespace BuzzTalk.Publishing;

/// <summary>
/// Aspire's default deployment state saves every parameter value, secrets included, in plain
/// text under <c>~/.aspire/deployments/</c> after a publish. The bundle needs no secret value,
/// so publishing keeps that state in memory and writes none of it to disk.
/// </summary>
public sealed class InMemoryDeploymentState : IDeploymentStateManager
{
    private readonly ConcurrentDictionary<string, DeploymentStateSection> _sections = new(StringComparer.Ordinal);

    public string? StateFilePath => null;

    public Task<DeploymentStateSection> AcquireSectionAsync(string sectionName, CancellationToken cancellationToken = default) =>
        Task.FromResult(_sections.TryGetValue(sectionName, out var section)
            ? new DeploymentStateSection(sectionName, (JsonObject)section.Data.DeepClone(), section.Version)
            : new DeploymentStateSection(sectionName, [], 0));

    public Task<DeploymentStateSection> AcquireCurrentSectionAsync(string sectionName, CancellationToken cancellationToken = default) =>
        AcquireSectionAsync(sectionName, cancellationToken);

    public Task SaveSectionAsync(DeploymentStateSection section, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(section);
        section.Version++;
        _sections[section.SectionName] = new DeploymentStateSection(section.SectionName, (JsonObject)section.Data.DeepClone(), section.Version);
        return Task.CompletedTask;
    }

    public Task DeleteSectionAsync(DeploymentStateSection section, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(section);
        _sections.TryRemove(section.SectionName, out _);
        return Task.CompletedTask;
    }

    public Task ClearAllStateAsync(CancellationToken cancellationToken = default)
    {
        _sections.Clear();
        return Task.CompletedTask;
    }
}
