using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace BuzzTalk.AppHost.Tests;

/// <summary>A resource's arguments and environment as the publish manifest would write them, read without starting anything.</summary>
public static class ModelInspection
{
    /// <summary>Arguments: references stay references (<c>{name.bindings...}</c>).</summary>
    public static async Task<IReadOnlyList<string>> ArgsAsync(IResource resource)
    {
        var args = new List<object>();
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, resource));
        }

        return [.. args.Select(Expression)];
    }

    /// <summary>Environment values as objects (strings, parameters, endpoint references).</summary>
    public static async Task<Dictionary<string, object>> RawEnvAsync(IResource resource)
    {
        var env = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), resource, env);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return env;
    }

    /// <summary>Environment as the manifest writes it: a secret shows as <c>{name.value}</c>, never its value.</summary>
    public static async Task<Dictionary<string, string>> EnvAsync(IResource resource) =>
        (await RawEnvAsync(resource)).ToDictionary(e => e.Key, e => Expression(e.Value));

    private static string Expression(object value) => value switch
    {
        string s => s,
        IManifestExpressionProvider p => p.ValueExpression,
        _ => value.ToString()!,
    };
}
