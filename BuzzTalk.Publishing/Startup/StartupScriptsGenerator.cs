using System.Globalization;

namespace BuzzTalk.Publishing.Startup;

/// <summary>
/// The <c>startup/</c> part of the bundle: the instance template's tiny <c>bootstrap.sh</c>, which
/// fetches <c>instance.sh</c> from the bucket and runs it, and <c>instance.sh</c> itself (Docker,
/// single-node swarm, registry login, bundle, stack deploy, readiness).
/// </summary>
public static class StartupScriptsGenerator
{
    public const string BootstrapPath = "startup/bootstrap.sh";

    public const string InstanceScriptPath = "startup/instance.sh";

    /// <summary>The template's shutdown-script: run by GCE at a preemption notice or any stop.</summary>
    public const string ShutdownScriptPath = "startup/shutdown.sh";

    /// <summary>
    /// How long a leaving instance fails its health check before its backends stop: the load
    /// balancer's check interval times its unhealthy threshold, plus a second, so it has marked the
    /// instance down first. Well inside GCE's 30 s notice, with the backends' stop after it.
    /// </summary>
    public static int DrainSeconds => Terraform.TerraformGenerator.HealthCheckIntervalSec * Terraform.TerraformGenerator.HealthCheckUnhealthyThreshold + 1;

    /// <summary>At most this long for the backends to stop (their websockets closed with 1001, requests finished).</summary>
    public const int BackendStopSeconds = 15;

    /// <summary>Where the Deployer writes the stack's env files on an instance (root-only directory).</summary>
    public const string EnvDirectory = Stack.StackFileGenerator.DefaultEnvDirectory;

    /// <summary>The env file without which the instance waits for the Deployer instead of deploying.</summary>
    public const string BackendEnvFile = "backend.env";

    /// <summary>The stack file inside the unpacked bundle.</summary>
    public const string StackFile = Stack.StackFileGenerator.StackPath;

    /// <summary>Held with flock for the whole run, so a second run waits instead of overlapping.</summary>
    public const string LockFile = "/run/buzztalk-instance.lock";

    /// <summary>How long the script waits for the frontend's health check after the deploy.</summary>
    public const int HealthTimeoutSeconds = 300;

    /// <summary>Guest attribute (namespace/key) set to <c>true</c> once the stack answers.</summary>
    public const string ReadyGuestAttribute = "buzztalk/ready";

    /// <summary>Guest attribute set to the revision and release id the instance runs (the desired one at boot).</summary>
    public const string ReleaseGuestAttribute = "buzztalk/release";

    /// <summary>The desired-release record an instance keeps under its bundle root, as the Deployer writes it.</summary>
    public const string RunningRecordFile = "running.json";

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(BootstrapPath, Bootstrap(), Executable: true),
            new(InstanceScriptPath, Instance(settings), Executable: true),
            new(ShutdownScriptPath, Shutdown(settings), Executable: true),
        ];
    }

    private static string Bootstrap() => ShellTemplate.Render(BootstrapTemplate, new Dictionary<string, string>
    {
        ["KEY_BUCKET"] = Key(InstanceMetadataKeys.Bucket),
        ["KEY_INSTANCE_SCRIPT"] = Key(InstanceMetadataKeys.InstanceScriptObject),
    });

    private static string Instance(PublishSettings settings)
    {
        var port = ShellTemplate.RequirePort(settings.FrontendPort, nameof(settings.FrontendPort));
        return ShellTemplate.Render(InstanceTemplate, new Dictionary<string, string>
        {
            ["KEY_BUCKET"] = Key(InstanceMetadataKeys.Bucket),
            ["KEY_BUNDLE_OBJECT"] = Key(InstanceMetadataKeys.BundleObject),
            ["KEY_REGISTRY_SECRET"] = Key(InstanceMetadataKeys.RegistrySecret),
            ["KEY_REGISTRY_HOST"] = Key(InstanceMetadataKeys.RegistryHost),
            ["KEY_REGISTRY_USER"] = Key(InstanceMetadataKeys.RegistryUser),
            ["KEY_BACKEND_TAG"] = Key(InstanceMetadataKeys.BackendImageTag),
            ["KEY_FRONTEND_TAG"] = Key(InstanceMetadataKeys.FrontendImageTag),
            ["STACK_NAME"] = ShellTemplate.RequireMatch(settings.Name, ShellTemplate.SimpleName(), nameof(settings.Name)),
            ["DEPLOY_USER"] = ShellTemplate.RequireMatch(settings.Cloud.SshUser, ShellTemplate.SimpleName(), nameof(settings.Cloud.SshUser)),
            ["BACKEND_TAG"] = ShellTemplate.RequireMatch(settings.BackendService.Image.Tag, ShellTemplate.ImageTag(), "BackendImage.Tag"),
            ["FRONTEND_TAG"] = ShellTemplate.RequireMatch(settings.SiteService.Image.Tag, ShellTemplate.ImageTag(), "FrontendImage.Tag"),
            ["BUNDLE_ROOT"] = ShellTemplate.RequirePath(settings.InstanceBundleDirectory, nameof(settings.InstanceBundleDirectory)),
            ["ENV_DIR"] = EnvDirectory,
            ["BACKEND_ENV_FILE"] = BackendEnvFile,
            ["STACK_FILE"] = StackFile,
            ["EDGE_SOURCE"] = Stack.StackFileGenerator.NginxPath,
            ["EDGE_SERVICE"] = BuzzTalk.Fleet.Swarm.InstanceEdge.Service,
            ["EDGE_CONFIG"] = BuzzTalk.Fleet.Swarm.InstanceEdge.ConfigFile,
            ["EDGE_NEXT"] = BuzzTalk.Fleet.Swarm.InstanceEdge.NextConfigFile,
            ["LOCK_FILE"] = LockFile,
            ["HEALTH_URL"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/healthz"),
            ["HEALTH_TIMEOUT"] = HealthTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["READY_ATTRIBUTE"] = ReadyGuestAttribute,
            ["RUN_DIR"] = Stack.StackFileGenerator.DefaultRunDirectory,
            ["DRAIN_FILE"] = Stack.StackFileGenerator.DrainFileName,
            ["RELEASE_ATTRIBUTE"] = ReleaseGuestAttribute,
            ["RUNNING_RECORD"] = RunningRecordFile,
            ["RELEASE_PREFIX"] = ShellTemplate.RequireMatch(settings.Cloud.ReleasePrefix, ShellTemplate.ObjectPrefix(), nameof(settings.Cloud.ReleasePrefix)),
        });
    }

    private static string Shutdown(PublishSettings settings) => ShellTemplate.Render(ShutdownTemplate, new Dictionary<string, string>
    {
        ["STACK_NAME"] = ShellTemplate.RequireMatch(settings.Name, ShellTemplate.SimpleName(), nameof(settings.Name)),
        ["RUN_DIR"] = Stack.StackFileGenerator.DefaultRunDirectory,
        ["DRAIN_FILE"] = Stack.StackFileGenerator.DrainFileName,
        ["DRAIN_SECONDS"] = DrainSeconds.ToString(CultureInfo.InvariantCulture),
        ["BACKEND_STOP_SECONDS"] = BackendStopSeconds.ToString(CultureInfo.InvariantCulture),
        ["READY_ATTRIBUTE"] = ReadyGuestAttribute,
    });

    private static string Key(string key) => ShellTemplate.RequireMatch(key, ShellTemplate.MetadataKey(), "metadata key");

    // Runs as root from GCE's startup-script runner on every boot. Only curl, python3 (in every
    // Debian GCE image) and bash: no gcloud, no jq.
    private const string BootstrapTemplate = """
        #!/usr/bin/env bash
        # BuzzTalk bootstrap: the instance template's startup-script. Generated by the publish step;
        # do not edit. It only fetches the real instance script from the bucket and runs it, so that
        # script can change without a new instance template.
        set -euo pipefail
        shopt -s inherit_errexit

        # Real endpoints; a test points them at fakes.
        METADATA_URL="${BUZZTALK_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}"
        STORAGE_URL="${BUZZTALK_STORAGE_URL:-https://storage.googleapis.com/storage/v1}"
        key_bucket=__KEY_BUCKET__
        key_instance_script=__KEY_INSTANCE_SCRIPT__

        curl_retry() {
          curl -fsS --retry 10 --retry-connrefused --retry-delay 3 --connect-timeout 10 --max-time 300 "$@"
        }

        metadata() {
          curl_retry -H 'Metadata-Flavor: Google' "$METADATA_URL/$1"
        }

        urlencode() {
          python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
        }

        token="$(metadata instance/service-accounts/default/token |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
        bucket="$(metadata "instance/attributes/$key_bucket")"
        object="$(metadata "instance/attributes/$key_instance_script")"

        script="$(mktemp)"
        trap 'rm -f "$script"' EXIT
        # The token reaches curl through a file descriptor, never its argv (visible in ps).
        curl_retry -H @<(printf 'Authorization: Bearer %s\n' "$token") -o "$script" \
          "$STORAGE_URL/b/$(urlencode "$bucket")/o/$(urlencode "$object")?alt=media"
        logger -t buzztalk "bootstrap: running gs://$bucket/$object" 2>/dev/null || true
        bash "$script"
        """;

    // GCE runs it as root at a preemption notice (about 30 s before the power goes) and at any
    // stop. No -e: every step is tried within the notice, whatever failed before it.
    private const string ShutdownTemplate = """
        #!/usr/bin/env bash
        # BuzzTalk shutdown script: the instance template's shutdown-script. Generated by the publish
        # step; do not edit. Leaves gracefully: fails the load balancer's health check first (the
        # frontend answers 503 on its health path while the drain flag exists), waits until the
        # balancer has marked the instance down, then stops the backends. The websockets are closed
        # with 1001 (going away) at once, and the clients reconnect through the balancer to another
        # instance; in-flight requests finish.
        set -uo pipefail

        # Real endpoints and commands; a test points them at fakes.
        METADATA_URL="${BUZZTALK_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}"
        DOCKER="${BUZZTALK_DOCKER:-docker}"
        LOGGER="${BUZZTALK_LOGGER:-logger}"

        default_stack_name=__STACK_NAME__
        default_run_dir=__RUN_DIR__
        DRAIN_FILE=__DRAIN_FILE__
        READY_ATTRIBUTE=__READY_ATTRIBUTE__
        default_drain_seconds=__DRAIN_SECONDS__
        default_backend_stop_seconds=__BACKEND_STOP_SECONDS__
        STACK_NAME="${BUZZTALK_STACK_NAME:-$default_stack_name}"
        RUN_DIR="${BUZZTALK_RUN_DIR:-$default_run_dir}"
        DRAIN_SECONDS="${BUZZTALK_DRAIN_SECONDS:-$default_drain_seconds}"
        BACKEND_STOP_SECONDS="${BUZZTALK_BACKEND_STOP_SECONDS:-$default_backend_stop_seconds}"

        log() {
          printf 'buzztalk: %s\n' "$*" >&2
          "$LOGGER" -t buzztalk -- "$*" 2>/dev/null || true
        }

        [[ "$STACK_NAME" =~ ^[a-z0-9][a-z0-9_-]{0,62}$ ]] || { log "'$STACK_NAME' is not a stack name"; exit 1; }

        preempted="$(curl -fsS --max-time 2 -H 'Metadata-Flavor: Google' "$METADATA_URL/instance/preempted" 2>/dev/null || echo unknown)"
        log "shutdown (preempted: $preempted): draining $STACK_NAME"

        # 1. Fail the health check: the balancer sends no new connection here.
        mkdir -p "$RUN_DIR"
        : > "$RUN_DIR/$DRAIN_FILE"
        curl -fsS --max-time 2 -X PUT -H 'Metadata-Flavor: Google' --data-binary false \
          "$METADATA_URL/instance/guest-attributes/$READY_ATTRIBUTE" >/dev/null 2>&1 || true

        # 2. The websockets go at once: SIGUSR1 makes each backend close its sockets with 1001 and
        #    keep answering HTTP; nginx refuses new websockets while draining, so the clients'
        #    reconnects land on other instances within a second, not after the balancer's check.
        "$DOCKER" ps -q --filter "label=com.docker.swarm.service.name=${STACK_NAME}_backend" 2>/dev/null |
          while read -r container; do
            "$DOCKER" kill --signal USR1 "$container" >/dev/null 2>&1 || log "could not signal $container"
          done

        # 3. The balancer marks an instance down after its check interval times its threshold; it
        #    cannot be asked, so that long is waited.
        sleep "$DRAIN_SECONDS"

        # 4. The backends stop: SIGTERM, any websocket left closed with 1001, requests finished within
        #    their stop grace period.
        log "stopping the backends of $STACK_NAME"
        if ! timeout "$BACKEND_STOP_SECONDS" "$DOCKER" service scale --detach=false "${STACK_NAME}_backend=0" >/dev/null 2>&1; then
          log "the backends did not stop within $BACKEND_STOP_SECONDS s"
        fi
        log "drained"
        """;

    private const string InstanceTemplate = """
        #!/usr/bin/env bash
        # BuzzTalk instance script. Generated by the publish step; do not edit.
        # Run as root by the bootstrap on every boot, and safe to run again: installs Docker, makes
        # the node its own single-node swarm, logs in to the registry, and runs the desired release the
        # Deployer recorded (bundle, image tags, env files), or the template's first one; reports readiness.
        set -euo pipefail
        shopt -s inherit_errexit

        # Real endpoints and commands; a test points them at fakes.
        METADATA_URL="${BUZZTALK_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}"
        STORAGE_URL="${BUZZTALK_STORAGE_URL:-https://storage.googleapis.com/storage/v1}"
        SECRETMANAGER_URL="${BUZZTALK_SECRETMANAGER_URL:-https://secretmanager.googleapis.com/v1}"
        DOCKER="${BUZZTALK_DOCKER:-docker}"
        APT_GET="${BUZZTALK_APT_GET:-apt-get}"
        USERMOD="${BUZZTALK_USERMOD:-usermod}"
        LOGGER="${BUZZTALK_LOGGER:-logger}"

        # From the publish settings.
        default_stack_name=__STACK_NAME__
        DEPLOY_USER=__DEPLOY_USER__
        DEFAULT_BACKEND_IMAGE_TAG=__BACKEND_TAG__
        DEFAULT_FRONTEND_IMAGE_TAG=__FRONTEND_TAG__
        STACK_FILE=__STACK_FILE__
        EDGE_SOURCE=__EDGE_SOURCE__
        EDGE_SERVICE=__EDGE_SERVICE__
        EDGE_CONFIG=__EDGE_CONFIG__
        EDGE_NEXT=__EDGE_NEXT__
        BACKEND_ENV_FILE=__BACKEND_ENV_FILE__
        READY_ATTRIBUTE=__READY_ATTRIBUTE__
        RELEASE_ATTRIBUTE=__RELEASE_ATTRIBUTE__
        RUNNING_RECORD=__RUNNING_RECORD__
        RELEASE_PREFIX=__RELEASE_PREFIX__
        default_bundle_root=__BUNDLE_ROOT__
        default_env_dir=__ENV_DIR__
        default_lock_file=__LOCK_FILE__
        default_run_dir=__RUN_DIR__
        DRAIN_FILE=__DRAIN_FILE__
        default_health_url=__HEALTH_URL__
        default_health_timeout=__HEALTH_TIMEOUT__
        STACK_NAME="${BUZZTALK_STACK_NAME:-$default_stack_name}"
        BUNDLE_ROOT="${BUZZTALK_BUNDLE_ROOT:-$default_bundle_root}"
        ENV_DIR="${BUZZTALK_ENV_DIR:-$default_env_dir}"
        LOCK_FILE="${BUZZTALK_LOCK_FILE:-$default_lock_file}"
        RUN_DIR="${BUZZTALK_RUN_DIR:-$default_run_dir}"
        HEALTH_URL="${BUZZTALK_HEALTH_URL:-$default_health_url}"
        HEALTH_TIMEOUT_SECONDS="${BUZZTALK_HEALTH_TIMEOUT_SECONDS:-$default_health_timeout}"
        HEALTH_INTERVAL_SECONDS="${BUZZTALK_HEALTH_INTERVAL_SECONDS:-5}"

        # Instance attributes the Terraform template sets.
        KEY_BUCKET=__KEY_BUCKET__
        KEY_BUNDLE_OBJECT=__KEY_BUNDLE_OBJECT__
        KEY_REGISTRY_SECRET=__KEY_REGISTRY_SECRET__
        KEY_REGISTRY_HOST=__KEY_REGISTRY_HOST__
        KEY_REGISTRY_USER=__KEY_REGISTRY_USER__
        KEY_BACKEND_TAG=__KEY_BACKEND_TAG__
        KEY_FRONTEND_TAG=__KEY_FRONTEND_TAG__

        log() {
          printf 'buzztalk: %s\n' "$*" >&2
          "$LOGGER" -t buzztalk -- "$*" 2>/dev/null || true
        }

        fail() {
          log "failed: $*"
          exit 1
        }

        curl_retry() {
          curl -fsS --retry 5 --retry-connrefused --retry-delay 2 --connect-timeout 10 --max-time 300 "$@"
        }

        metadata() {
          curl_retry -H 'Metadata-Flavor: Google' "$METADATA_URL/$1"
        }

        # Prints an instance attribute; nothing when it is not set (404); fails on any other answer.
        attribute() {
          local status
          status="$(curl -sS --retry 5 --retry-connrefused --retry-delay 2 --connect-timeout 10 --max-time 60 \
            -H 'Metadata-Flavor: Google' -o "$WORK/attribute" -w '%{http_code}' \
            "$METADATA_URL/instance/attributes/$1")" || status=000
          case "$status" in
            200) cat "$WORK/attribute" ;;
            404) ;;
            *) fail "instance attribute $1: HTTP $status" ;;
          esac
        }

        required_attribute() {
          local value
          value="$(attribute "$1")"
          [[ -n "$value" ]] || fail "instance attribute $1 is not set"
          printf '%s' "$value"
        }

        urlencode() {
          python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
        }

        # curl with the instance service account's token; the token goes through a file descriptor,
        # never curl's argv (visible in ps).
        with_token() {
          curl_retry -H @<(printf 'Authorization: Bearer %s\n' "$TOKEN") "$@"
        }

        # One run at a time: a second run waits for the first (bounded) instead of overlapping.
        exec 9>"$LOCK_FILE"
        flock -w 900 9 || fail "another run still holds $LOCK_FILE"

        WORK="$(mktemp -d)"
        trap 'rm -rf "$WORK"' EXIT

        # Docker from the distribution, only when it is missing.
        if ! command -v "$DOCKER" >/dev/null 2>&1; then
          log "installing docker.io"
          DEBIAN_FRONTEND=noninteractive "$APT_GET" update -q
          DEBIAN_FRONTEND=noninteractive "$APT_GET" install -y -q --no-install-recommends docker.io
        fi
        docker_up=false
        for _ in $(seq 1 60); do
          if "$DOCKER" info >/dev/null 2>&1; then
            docker_up=true
            break
          fi
          sleep 2
        done
        "$docker_up" || fail "the docker daemon does not answer"

        # The deploy user (created by the guest agent from ssh-keys) runs docker over SSH.
        if id -u "$DEPLOY_USER" >/dev/null 2>&1 && ! id -nG "$DEPLOY_USER" | tr ' ' '\n' | grep -qx docker; then
          log "adding $DEPLOY_USER to the docker group"
          "$USERMOD" -aG docker "$DEPLOY_USER"
        fi

        # Each instance is its own single-node swarm; init only once.
        swarm_state="$("$DOCKER" info --format '{{.Swarm.LocalNodeState}}')"
        if [[ "$swarm_state" != active ]]; then
          private_ip="$(metadata instance/network-interfaces/0/ip)"
          [[ "$private_ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || fail "unexpected private IP '$private_ip'"
          log "swarm init on $private_ip (node state was '$swarm_state')"
          "$DOCKER" swarm init --advertise-addr "$private_ip"
        fi

        TOKEN="$(metadata instance/service-accounts/default/token |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

        # Registry login only for private images. The password goes from Secret Manager through
        # pipes to docker's stdin: never a variable, an argument or a line of output.
        registry_secret="$(attribute "$KEY_REGISTRY_SECRET")"
        if [[ -n "$registry_secret" ]]; then
          [[ "$registry_secret" =~ ^[A-Za-z0-9_-]{1,255}$ ]] || fail "registry secret name '$registry_secret' is not a Secret Manager id"
          registry_host="$(required_attribute "$KEY_REGISTRY_HOST")"
          registry_user="$(required_attribute "$KEY_REGISTRY_USER")"
          project="$(metadata project/project-id)"
          [[ "$project" =~ ^[a-z0-9.:-]{1,100}$ ]] || fail "unexpected project id '$project'"
          log "docker login $registry_host as $registry_user"
          case "$-" in *x*) xtrace=true ;; *) xtrace=false ;; esac
          { set +x; } 2>/dev/null
          with_token "$SECRETMANAGER_URL/projects/$project/secrets/$registry_secret/versions/latest:access" |
            python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["payload"]["data"]))' |
            "$DOCKER" login "$registry_host" -u "$registry_user" --password-stdin >/dev/null
          if "$xtrace"; then set -x; fi
        fi

        # Prints a bucket object into a file and answers "found", or "absent" on 404; fails otherwise.
        storage_get() {
          local status
          status="$(curl -sS --retry 5 --retry-connrefused --retry-delay 2 --connect-timeout 10 --max-time 300 \
            -H @<(printf 'Authorization: Bearer %s\n' "$TOKEN") -o "$2" -w '%{http_code}' \
            "$STORAGE_URL/b/$(urlencode "$bucket")/o/$(urlencode "$1")?alt=media")" || status=000
          case "$status" in
            200) echo found ;;
            404) echo absent ;;
            *) fail "gs://$bucket/$1: HTTP $status" ;;
          esac
        }

        [[ "$STACK_NAME" =~ ^[a-z0-9][a-z0-9_-]{0,62}$ ]] || fail "'$STACK_NAME' is not a stack name"
        bucket="$(required_attribute "$KEY_BUCKET")"

        # The desired release the Deployer records on every deploy and rollback: what this instance
        # runs, whoever started it. Without one (before the first deploy) the template's bundle and
        # tags are the first release.
        desired=false
        release_id=""
        env_version=""
        revision=""
        declare -A tags=()
        if [[ "$(storage_get "$RELEASE_PREFIX/desired.json" "$WORK/desired.json")" == found ]]; then
          # One checked field a line; bash checks each value again before it is used.
          python3 - "$WORK/desired.json" > "$WORK/desired.tsv" <<'PY' || fail "the desired release record does not parse"
        import json, sys
        record = json.load(open(sys.argv[1], encoding="utf-8"))
        print("revision\t%d" % int(record["revision"]))
        print("release\t%s" % record["release"])
        print("bundle\t%s" % record["bundleObject"])
        print("env\t%s" % (record.get("envSecretVersion") or ""))
        for service in record["services"].values():
            if service.get("tagVariable"):
                print("tag\t%s\t%s" % (service["tagVariable"], service["tag"]))
        PY
          while IFS=$'\t' read -r kind first second; do
            case "$kind" in
              revision)
                [[ "$first" =~ ^[0-9]{1,18}$ ]] || fail "desired release: '$first' is not a revision"
                revision="$first"
                ;;
              release)
                [[ "$first" =~ ^[0-9a-f]{12}$ ]] || fail "desired release: '$first' is not a release id"
                release_id="$first"
                ;;
              bundle)
                [[ "$first" =~ ^[A-Za-z0-9_-][A-Za-z0-9._/-]{0,1023}$ && "$first" != *..* ]] || fail "desired release: '$first' is not an object name"
                bundle_object="$first"
                ;;
              env)
                [[ -z "$first" || "$first" =~ ^projects/[A-Za-z0-9.:-]{1,100}/secrets/[A-Za-z0-9_-]{1,255}/versions/[0-9]{1,18}$ ]] ||
                  fail "desired release: '$first' is not a Secret Manager version"
                env_version="$first"
                ;;
              tag)
                [[ "$first" =~ ^[A-Z][A-Z0-9_]{0,62}_TAG$ ]] || fail "desired release: '$first' is not an image tag variable"
                [[ "$second" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || fail "desired release: '$second' is not an image tag"
                tags["$first"]="$second"
                ;;
            esac
          done < "$WORK/desired.tsv"
          [[ -n "$revision" && -n "$release_id" && -n "${bundle_object:-}" ]] || fail "the desired release record lacks a revision, release or bundle"
          desired=true
          log "desired release r$revision: $release_id"
        else
          bundle_object="$(required_attribute "$KEY_BUNDLE_OBJECT")"
          log "no desired release recorded yet: the template's bundle $bundle_object"
        fi

        # The bundle: unpacked once per release beside the others under releases/, then `current` is
        # switched by a rename, so a reader sees either the old or the new release, never half of one.
        # The layout is the Deployer's, so either can take over from the other.
        mkdir -p "$BUNDLE_ROOT/releases"
        rm -rf "$BUNDLE_ROOT"/releases/.unpack.*
        [[ "$(storage_get "$bundle_object" "$WORK/bundle.tar.gz")" == found ]] || fail "gs://$bucket/$bundle_object does not exist"
        staging="$(mktemp -d "$BUNDLE_ROOT/releases/.unpack.XXXXXXXX")"
        tar -xzf "$WORK/bundle.tar.gz" -C "$staging" --no-same-owner
        if [[ -z "$release_id" ]]; then
          # The Deployer's id of a bundle: the first 12 hex digits of the SHA-256 of its SHA256SUMS.
          if [[ -f "$staging/SHA256SUMS" ]]; then
            release_id="$(sha256sum "$staging/SHA256SUMS" | cut -c 1-12)"
          else
            release_id="$(sha256sum "$WORK/bundle.tar.gz" | cut -c 1-12)"
          fi
        fi
        if [[ -d "$BUNDLE_ROOT/releases/$release_id" ]]; then
          rm -rf "$staging"
        else
          chmod 0755 "$staging"
          mv -T "$staging" "$BUNDLE_ROOT/releases/$release_id"
          log "release $release_id unpacked"
        fi
        ln -sfn "$BUNDLE_ROOT/releases/$release_id" "$BUNDLE_ROOT/current.new"
        mv -T "$BUNDLE_ROOT/current.new" "$BUNDLE_ROOT/current"

        # The env files (secrets): from the desired release's Secret Manager version, through pipes
        # into files of mode 0600 (never a variable, an argument or a line of output); otherwise
        # those the Deployer wrote. Without either there is nothing to run yet.
        mkdir -p "$ENV_DIR"
        chmod 0700 "$ENV_DIR"
        if [[ -n "$env_version" ]]; then
          log "env files from $env_version"
          case "$-" in *x*) xtrace=true ;; *) xtrace=false ;; esac
          { set +x; } 2>/dev/null
          with_token "$SECRETMANAGER_URL/$env_version:access" | python3 -c '
        import base64, json, os, re, sys
        directory = sys.argv[1]
        files = json.loads(base64.b64decode(json.load(sys.stdin)["payload"]["data"]))["files"]
        for name, data in files.items():
            if not re.fullmatch(r"[A-Za-z0-9._-]+\.env", name):
                sys.exit("env file name %r refused" % name)
            temporary = os.path.join(directory, ".%s.tmp" % name)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(base64.b64decode(data))
            os.replace(temporary, os.path.join(directory, name))
        ' "$ENV_DIR" || fail "the env files of $env_version could not be written"
          if "$xtrace"; then set -x; fi
        fi
        if [[ ! -f "$ENV_DIR/$BACKEND_ENV_FILE" ]]; then
          log "waiting for deploy: $ENV_DIR/$BACKEND_ENV_FILE is not there yet"
          exit 0
        fi

        if "$desired"; then
          for variable in "${!tags[@]}"; do
            export "$variable=${tags[$variable]}"
          done
        else
          BACKEND_IMAGE_TAG="$(attribute "$KEY_BACKEND_TAG")"
          BACKEND_IMAGE_TAG="${BACKEND_IMAGE_TAG:-$DEFAULT_BACKEND_IMAGE_TAG}"
          FRONTEND_IMAGE_TAG="$(attribute "$KEY_FRONTEND_TAG")"
          FRONTEND_IMAGE_TAG="${FRONTEND_IMAGE_TAG:-$DEFAULT_FRONTEND_IMAGE_TAG}"
          for tag in "$BACKEND_IMAGE_TAG" "$FRONTEND_IMAGE_TAG"; do
            [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || fail "'$tag' is not an image tag"
          done
          export BACKEND_IMAGE_TAG FRONTEND_IMAGE_TAG
        fi
        export BUZZTALK_ENV_DIR="$ENV_DIR"
        # The frontend mounts it for the drain flag; a boot is never draining.
        mkdir -p "$RUN_DIR"
        rm -f "${RUN_DIR:?}/$DRAIN_FILE"
        export BUZZTALK_RUN_DIR="$RUN_DIR"
        # The edge owns the port and is not replaced by a deploy: the release's config is copied
        # into the folder it mounts, and a running edge reloads it (nginx keeps open connections).
        edge_dir="$BUNDLE_ROOT/edge"
        mkdir -p "$edge_dir"
        if ! cmp -s "$BUNDLE_ROOT/current/$EDGE_SOURCE" "$edge_dir/$EDGE_CONFIG"; then
          cp "$BUNDLE_ROOT/current/$EDGE_SOURCE" "$edge_dir/$EDGE_NEXT"
          mv -f "$edge_dir/$EDGE_NEXT" "$edge_dir/$EDGE_CONFIG"
          edge=$("$DOCKER" ps -q --no-trunc --filter "label=com.docker.swarm.service.name=${STACK_NAME}_$EDGE_SERVICE" --filter status=running | head -n 1)
          if [[ -n "$edge" ]]; then
            log "edge config changed: reloading the edge"
            "$DOCKER" kill --signal HUP "$edge" >/dev/null
          fi
        fi
        export BUZZTALK_EDGE_DIR="$edge_dir"
        log "stack deploy $STACK_NAME (release $release_id, backend ${BACKEND_IMAGE_TAG:-default}, frontend ${FRONTEND_IMAGE_TAG:-default})"
        "$DOCKER" stack deploy --with-registry-auth -c "$BUNDLE_ROOT/current/$STACK_FILE" "$STACK_NAME"

        deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
        until curl -fs --max-time 5 -o /dev/null "$HEALTH_URL"; do
          if ((SECONDS >= deadline)); then
            fail "$HEALTH_URL did not answer within $HEALTH_TIMEOUT_SECONDS s"
          fi
          sleep "$HEALTH_INTERVAL_SECONDS"
        done

        # What this instance runs, as the Deployer records it, so status can tell drift.
        if "$desired"; then
          python3 -c '
        import json, os, sys
        record = json.load(open(sys.argv[1], encoding="utf-8"))
        record.pop("previous", None)
        with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out, indent=2)
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])
        ' "$WORK/desired.json" "$BUNDLE_ROOT/$RUNNING_RECORD"
          release_label="r$revision $release_id"
        else
          release_label="$release_id"
        fi

        curl_retry -X PUT -H 'Metadata-Flavor: Google' --data-binary "$release_label" \
          "$METADATA_URL/instance/guest-attributes/$RELEASE_ATTRIBUTE" >/dev/null
        curl_retry -X PUT -H 'Metadata-Flavor: Google' --data-binary true \
          "$METADATA_URL/instance/guest-attributes/$READY_ATTRIBUTE" >/dev/null
        log "ready: $STACK_NAME runs $release_label and answers on $HEALTH_URL"
        """;
}
