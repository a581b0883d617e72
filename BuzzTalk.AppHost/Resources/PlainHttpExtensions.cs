namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// Resources that serve plain HTTP or TCP on loopback. Aspire offers ASP.NET Core projects and its
/// Redis a development certificate; left on, it warns on every start ("No trusted development
/// certificate") on machines that have none, for TLS no resource here uses.
/// </summary>
public static class PlainHttpExtensions
{
    public static IResourceBuilder<T> WithPlainHttp<T>(this IResourceBuilder<T> resource)
        where T : IResourceWithEnvironment, IResourceWithArgs =>
#pragma warning disable ASPIRECERTIFICATES001 // an evaluation API, and the only switch there is
        resource.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
}
