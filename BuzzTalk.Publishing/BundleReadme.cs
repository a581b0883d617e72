using System.Globalization;
using System.Text;

namespace BuzzTalk.Publishing;

/// <summary>The bundle's <c>README.md</c>: what each file is and the order to apply them.</summary>
public static class BundleReadme
{
    public const string Path = "README.md";

    /// <summary>Written by Aspire's own <c>publish-manifest</c> step, then made portable.</summary>
    public const string ManifestPath = "aspire-manifest.json";

    public static BundleFile Generate(PublishSettings settings, IReadOnlyList<BundleFile> files)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(files);
        var c = settings.Cloud;
        var t = new StringBuilder();
        t.Append(CultureInfo.InvariantCulture, $"""
            # {settings.Name} deployment bundle

            Published by `dotnet run --project BuzzTalk.AppHost -- --operation publish --step publish --output-path <dir>`
            from the BuzzTalk app model. Do not edit these files: change the model and publish again. The same
            model and inputs always give byte-identical files; `SHA256SUMS` lists them (`sha256sum -c SHA256SUMS`).

            No secret value is in this bundle. Secrets are files the Deployer writes on each host with mode 0600:
            `{settings.SecretsDirectory}/*` on the ops host (Scaler webhook password, Grafana, Discord relay) and
            `/etc/buzztalk/env/*.env` on instances (database and Redis credentials), and one Secret Manager
            secret named by the Terraform variable `registry_secret` for the registry token.

            ## Order to apply

            1. **Cloud** — `terraform/`: `terraform init -backend-config=bucket=<state bucket> -backend-config=prefix={settings.Name}`,
               then `terraform apply -var project=<id> -var bucket=<bundle bucket> -var 'ops_host_cidrs=["<ops ip>/32"]' -var deploy_ssh_public_key="<key>"`.
               It creates the VPC, firewall, the {c.MachineType} SPOT instance template (named by a hash of its content, so
               every change rolls the group to a new template), the regional group over zones {string.Join(", ", c.ZoneSuffixes)},
               the autoscaler ({c.MinInstances}-{c.MaxInstances} instances), the HTTP load balancer and the service accounts, and uploads
               `startup/instance.sh` to the bucket.
            2. **Bundle** — upload this directory as a tar.gz to `gs://<bundle bucket>/{c.BundleObject}`; new instances fetch it at boot.
            3. **Ops host** — put the Native AOT builds of the services in `ops-host/bin/` (for example
               `dotnet publish BuzzTalk.Scaler -c Release -r linux-x64 -o out && cp out/BuzzTalk.Scaler ops-host/bin/buzztalk-scaler`,
               likewise `buzztalk-discovery` and `buzztalk-deployer`), then `sudo ops-host/install.sh` installs them, the systemd
               units and drop-ins (Prometheus, Alertmanager, Grafana, exporters, Scaler, Discovery, Deployer) and the `monitoring/`
               files; every unit restarts on failure. Run it again after any change: it only touches what changed.
            4. **Secrets** — `buzztalk-deployer render-env --env .env --bundle .` writes the per-host env and secret files (each service's env
               file holds the variables this bundle's stack lists for it, and the ops host's Discovery gets the connection strings
               of the database and Redis it probes for Prometheus, `ConnectionStrings__{settings.Probes.MySql}` and `ConnectionStrings__{settings.Probes.Redis}`); with
               `BUNDLE_BUCKET=<bundle bucket>` in `.env` the ops host's Deployer records the desired release there (its account,
               `-var deployer_service_account=<email>` at step 1, gets write access to the bucket and the `{c.EnvSecret}` secret).
            5. **Deploy** — `buzztalk-deployer deploy` rolls `stack/docker-stack.yml` out to every instance, one lease at a time.

            ## A fleet that heals itself

            Every successful `buzztalk-deployer deploy` and `rollback` records the **desired release**: the record
            `gs://<bundle bucket>/{c.ReleasePrefix}/desired.json` (release id, each service's image and tag, the name of a
            Secret Manager version) and the release's files `{c.ReleasePrefix}/<release>.tar.gz`; the env files (secrets) are
            versions of the Secret Manager secret `{c.EnvSecret}`, never in the bucket, the metadata or a log. A rollback
            deploys the release before the current one again and records it. Every instance, at every boot, runs
            `startup/instance.sh`, which reads the record and runs that release with its tags and env files: a preempted,
            autoscaled or replaced instance serves the current release with nobody deploying, and the ops host may be down
            meanwhile. Before the first deploy there is no record: the template's bundle and image tags are the first release.
            `buzztalk-deployer status` shows per instance the release it runs against the desired one.

            The group rolls a new template with `max_surge` {Terraform.TerraformGenerator.RollStep(c)} and `max_unavailable` 0: new instances come
            up (into the desired release) and old ones go only once the new are healthy, so a roll never leaves no serving
            instance. The health check asks `{settings.BackendHealthPath}` through nginx: an instance is healthy when a
            backend of its release answers, not when nginx alone does. Autohealing starts checking
            {Terraform.TerraformGenerator.AutoHealingInitialDelaySec} s after boot, longer than a boot with image pulls takes.

            At a preemption notice (about 30 s) GCE runs the template's shutdown-script, `startup/shutdown.sh`: it writes the
            drain flag (`{Stack.StackFileGenerator.DefaultRunDirectory}/{Stack.StackFileGenerator.DrainFileName}`, mounted into the frontend), so
            `{settings.BackendHealthPath}` answers 503 while the site keeps serving, and nginx refuses new websockets; signals
            the backends (SIGUSR1), which close every websocket with 1001 (going away) at once and keep answering HTTP, so chat
            clients reconnect through the balancer to an instance that stays within a second; waits {Startup.StartupScriptsGenerator.DrainSeconds} s, the
            balancer's check interval times its unhealthy threshold plus one, so no new request arrives; then stops the
            backends (at most {Startup.StartupScriptsGenerator.BackendStopSeconds} s), which finish their requests.

            ## Swarm stack

            `stack/docker-stack.yml` is deployed as stack `{settings.Name}`: `edge` (nginx with `nginx/nginx.conf`, the only host port,
            {settings.FrontendPort}; an app deploy never replaces it), the app's services from the model ({AppServices(settings)}: start-first
            updates, DNS round robin behind the edge, so a rollout drops no request), `node-exporter` (:{settings.NodeExporterPort}) and
            `cadvisor` (:{settings.CadvisorPort}) on every node. Host-mode ports allow one task per node, so the services that publish one
            update stop-first; a failed update rolls back. Image tags come from `<SERVICE>_IMAGE_TAG` (default: the model's tags). What
            only an instance knows (secrets, the database and Redis it reaches) comes from each service's env file, which the Deployer
            renders from the operator's .env (the keys are listed under `x-buzztalk: env-files`).{StartWaves(settings)}

            ## Files

            | file | what it is |
            |---|---|

            """);
        t.Append(CultureInfo.InvariantCulture, $"| `{ManifestPath}` | {Describe(ManifestPath)} |\n");
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            t.Append(CultureInfo.InvariantCulture, $"| `{file.Path}` | {Describe(file.Path)} |\n");
        }

        t.Append(CultureInfo.InvariantCulture, $"| `{BundleComposer.ChecksumsPath}` | SHA-256 of every file above |\n");
        return new BundleFile(Path, t.ToString());
    }

    private static string Describe(string path) => path switch
    {
        ManifestPath => "Aspire's manifest of the app model (references to parameters, never their values)",
        "stack/docker-stack.yml" => "the instance's swarm stack",
        _ when path.StartsWith("stack/start-", StringComparison.Ordinal) =>
            "a start wave: the stack with only the services of the waves up to this one, deployed before the whole stack",
        "nginx/nginx.conf" => "production nginx: SPA, `/backend/` proxy, websocket upgrade, swarm DNS resolver",
        _ when path.StartsWith("startup/", StringComparison.Ordinal) => "instance start-up (bootstrap from metadata, idempotent instance script)",
        _ when path.StartsWith("terraform/", StringComparison.Ordinal) => "Terraform JSON for the GCP topology",
        _ when path.StartsWith("monitoring/prometheus/", StringComparison.Ordinal) => "Prometheus configuration and rules",
        _ when path.StartsWith("monitoring/alertmanager/", StringComparison.Ordinal) => "Alertmanager routing (scaling alerts to the Scaler, the rest to Discord)",
        _ when path.StartsWith("monitoring/grafana/", StringComparison.Ordinal) => "Grafana provisioning: datasource, dashboard, scaling rule, contact point",
        _ when path.StartsWith("ops-host/", StringComparison.Ordinal) => "ops host: systemd units and installer",
        _ => "part of the bundle",
    };

    /// <summary>Said only for a model with a start order, so a bundle without one keeps its bytes.</summary>
    private static string StartWaves(PublishSettings settings) => settings.Services.All(s => s.WaitFor.Count == 0) ? "" :
        "\n\nSwarm starts a stack's services all at once; services that wait for others in the model ("
        + string.Join(", ", settings.Services.Where(s => s.WaitFor.Count > 0).Select(s => $"`{s.Name}`"))
        + ") are started in waves:\nthe Deployer and the boot script deploy each `stack/start-<k>.yml` (listed under `x-buzztalk: start-order`)"
        + " and wait\nuntil its services' tasks run and are healthy, then deploy `stack/docker-stack.yml`.";

    private static string AppServices(PublishSettings settings) =>
        string.Join(", ", settings.Services.Select(s => $"`{s.Name}` ({s.Image}, {s.Replicas.ToString(CultureInfo.InvariantCulture)} per instance)"));
}
