using System.CommandLine;
using BuzzTalk.AppHost.Tests;
using BuzzTalk.Bench;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Testing;

var runs = new Option<int>("--runs") { Description = "Starts to measure for each case.", DefaultValueFactory = _ => 5 };
var profile = new Option<StackProfile>("--profile") { Description = "The local profile: Processes or Containers (images from eng/build-images.sh).", DefaultValueFactory = _ => StackProfile.Processes };
var startup = new Command("startup", "AppHost start to every resource healthy, cold and warm.") { runs, profile };
startup.SetAction((result, ct) => StartupBenchmark.RunAsync(result.GetValue(profile), result.GetValue(runs), Console.Out, ct));

var roundTrips = new Option<int>("--messages") { Description = "Messages to time, one after another.", DefaultValueFactory = _ => 20 };
var browserRoundTrip = new Command("browser-roundtrip", "A message sent in one chat page until it shows in another (Debian chromium, through nginx and Redis).") { roundTrips, profile };
browserRoundTrip.SetAction((result, ct) => BrowserRoundTripBenchmark.RunAsync(result.GetValue(profile), result.GetValue(roundTrips), Console.Out, ct));

var idle = new Option<int>("--idle-seconds") { Description = "How long each service stays idle before its RSS is read.", DefaultValueFactory = _ => 30 };
var rssServices = new Option<string[]>("--service") { Description = "Only these services (e.g. BuzzTalk.Deployer); repeatable.", AllowMultipleArgumentsPerToken = true };
var aotOnly = new Option<bool>("--aot-only") { Description = "Only the Native AOT build (the one that ships), not the JIT comparison." };
var rss = new Command("rss", "Idle RSS of each C# service, Native AOT and JIT, split into file-backed and anonymous pages.") { idle, rssServices, aotOnly };
rss.SetAction((result, ct) => RssBenchmark.RunAsync(RepositoryRoot.Path, TimeSpan.FromSeconds(result.GetValue(idle)), result.GetValue(rssServices) ?? [],
    result.GetValue(aotOnly), Console.Out, ct));

var instances = new Option<int>("--instances") { DefaultValueFactory = _ => 5000 };
var zones = new Option<int>("--zones") { DefaultValueFactory = _ => 3 };
var pageSize = new Option<int>("--page-size") { DefaultValueFactory = _ => 500 };
var refresh = new Command("discovery-refresh", "One full GCP refresh against the fake Compute API: time and allocations.") { instances, zones, pageSize, runs };
refresh.SetAction((result, ct) => DiscoveryRefreshBenchmark.RunAsync(result.GetValue(instances), result.GetValue(zones), result.GetValue(pageSize),
    result.GetValue(runs), Console.Out, ct));

var sizes = new Option<int[]>("--instances") { Description = "Inventory sizes to measure.", DefaultValueFactory = _ => [5000, 50000], AllowMultipleArgumentsPerToken = true };
var inventoryRefreshes = new Option<int>("--refreshes") { DefaultValueFactory = _ => 10 };
var interval = new Option<int>("--interval-seconds") { Description = "Discovery:RefreshInterval.", DefaultValueFactory = _ => 10 };
var published = new Option<string?>("--published") { Description = "A directory with Discovery already published (Native AOT); default: publish it." };
var inventoryRss = new Command("discovery-rss", "Discovery (Native AOT, default log levels, file_sd and state file) over large inventories: RSS and bytes per refresh.")
{
    sizes, inventoryRefreshes, interval, published,
};
inventoryRss.SetAction((result, ct) => DiscoveryInventoryRssBenchmark.RunAsync(RepositoryRoot.Path, result.GetValue(sizes)!, result.GetValue(inventoryRefreshes),
    TimeSpan.FromSeconds(result.GetValue(interval)), result.GetValue(published), Console.Out, ct));

var dir = new Option<string>("--dir") { Required = true };
var serveFake = new Command("serve-fake-gcp", "Serves the Compute API fake (used by the other benchmarks).") { instances, zones, dir };
serveFake.Hidden = true;
serveFake.SetAction((result, ct) => FakeGcpProcess.ServeAsync(result.GetValue(instances), result.GetValue(zones), result.GetValue(dir)!, ct));

var scales = new Option<int>("--scales") { Description = "Scale operations to time.", DefaultValueFactory = _ => 40 };
var requests = new Option<int>("--requests") { Description = "No-op webhook requests for ab.", DefaultValueFactory = _ => 20000 };
var scalerBuild = new Option<string>("--build")
{
    Description = "aot: the Scaler published as it ships (Native AOT), run as its own process; jit: in the bench process.",
    DefaultValueFactory = _ => "aot",
}.AcceptOnlyFromAmong("aot", "jit");
var scalerWebhook = new Command("scaler-webhook", "Scaler: scale-up answer, issue and convergence times (warm SSH), no-op webhook throughput with ab -c 8, RSS idle and after the requests.") { scales, requests, scalerBuild };
scalerWebhook.SetAction((result, ct) => ScalerWebhookBenchmark.RunAsync(RepositoryRoot.Path, result.GetValue(scales), result.GetValue(requests),
    result.GetValue(scalerBuild) == "aot", Console.Out, ct));

var evaluatorRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 3 };
var scalerEvaluator = new Command("scaler-evaluator", "Scaler evaluator: sustained overload to a new replica on the real swarm.") { evaluatorRuns };
scalerEvaluator.SetAction((result, ct) => ScalerEvaluatorBenchmark.RunAsync(result.GetValue(evaluatorRuns), Console.Out, ct));

var publishRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 5 };
var publish = new Command("publish", "Publish time for the full bundle, the whole command as a user runs it.") { publishRuns };
publish.SetAction((result, ct) => PublishBenchmark.RunAsync(RepositoryRoot.Path, result.GetValue(publishRuns), Console.Out, ct));

var rolloutRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 6 };
var rolloutInstances = new Option<int>("--instances") { DefaultValueFactory = _ => 10 };
var rolloutParallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 5 };
var rollout = new Command("deployer-rollout", "Deployer rollout time (1 instance under load; N instances with --parallel) and failed requests.")
{
    rolloutRuns, rolloutInstances, rolloutParallel,
};
rollout.SetAction((result, ct) => DeployerRolloutBenchmark.RunAsync(RepositoryRoot.Path, result.GetValue(rolloutRuns), result.GetValue(rolloutInstances),
    result.GetValue(rolloutParallel), Console.Out, ct));

var bootRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 5 };
var boot = new Command("replacement-boot", "A replaced instance booting into the desired release: instance script start to healthy through nginx.") { bootRuns };
boot.SetAction((result, ct) => ReplacementBootBenchmark.RunAsync(result.GetValue(bootRuns), Console.Out, ct));

var rollInstances = new Option<int>("--instances") { DefaultValueFactory = _ => 2 };
var roll = new Command("template-roll", "A whole-group template roll on the local fleet behind a balancer: seconds without a serving instance.") { rollInstances };
roll.SetAction((result, ct) => TemplateRollBenchmark.RunAsync(result.GetValue(rollInstances), Console.Out, ct));

var preemptionRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 3 };
var preemptionClients = new Option<int>("--clients") { DefaultValueFactory = _ => 40 };
var preemption = new Command("preemption", "A preemption notice on the local fleet: websocket clients reconnected on the other instance, failed requests.")
{
    preemptionRuns, preemptionClients,
};
preemption.SetAction((result, ct) => PreemptionBenchmark.RunAsync(result.GetValue(preemptionRuns), result.GetValue(preemptionClients), Console.Out, ct));

var fleetRollbackRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 3 };
var fleetRollback = new Command("fleet-rollback", "Three instances on the local fleet, the third fails a deploy: time to roll the other two back.") { fleetRollbackRuns };
fleetRollback.SetAction((result, ct) => FleetRollbackBenchmark.RunAsync(result.GetValue(fleetRollbackRuns), Console.Out, ct));

var loadRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 3 };
var loadClients = new Option<int>("--clients") { DefaultValueFactory = _ => 20 };
var deployLoad = new Command("deploy-load", "Edge config, frontend and backend deploys and a rollback on the local fleet under chat load: failed requests, websocket disconnects, reconnect times, lost messages.")
{
    loadRuns, loadClients,
};
deployLoad.SetAction((result, ct) => DeployLoadBenchmark.RunAsync(result.GetValue(loadRuns),
    new ChatLoadShape(result.GetValue(loadClients), Rooms: 4, PostEvery: TimeSpan.FromSeconds(4), ProbeEvery: TimeSpan.FromMilliseconds(200)), Console.Out, ct));

var aspireRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 4 };
var aspireClients = new Option<int>("--clients") { DefaultValueFactory = _ => 20 };
var aspireDeploy = new Command("aspire-deploy", "aspire deploy of a backend image change to the running local fleet under the deploy-load bench's chat load: wall time, failed requests.")
{
    aspireRuns, aspireClients,
};
aspireDeploy.SetAction((result, ct) => AspireDeployBenchmark.RunAsync(result.GetValue(aspireRuns),
    new ChatLoadShape(result.GetValue(aspireClients), Rooms: 4, PostEvery: TimeSpan.FromSeconds(4), ProbeEvery: TimeSpan.FromMilliseconds(200)), Console.Out, ct));

var root = new RootCommand("BuzzTalk benchmarks; figures are recorded in docs/benchmarks.md.")
{
    startup, rss, refresh, inventoryRss, serveFake, scalerWebhook, scalerEvaluator, publish, rollout, boot, roll, preemption, fleetRollback, deployLoad, aspireDeploy, browserRoundTrip,
};
return await root.Parse(args).InvokeAsync();
