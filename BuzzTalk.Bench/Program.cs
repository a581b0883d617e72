using System.CommandLine;
using BuzzTalk.Bench;

var runs = new Option<int>("--runs") { Description = "Starts to measure for each case.", DefaultValueFactory = _ => 5 };
var startup = new Command("startup", "AppHost start to every resource healthy, processes profile, cold and warm.") { runs };
startup.SetAction((result, ct) => StartupBenchmark.RunAsync(result.GetValue(runs), Console.Out, ct));

var idle = new Option<int>("--idle-seconds") { Description = "How long each service stays idle before its RSS is read.", DefaultValueFactory = _ => 30 };
var rss = new Command("rss", "Idle RSS of each C# service, Native AOT and JIT.") { idle };
rss.SetAction((result, ct) => RssBenchmark.RunAsync(RepositoryRoot(), TimeSpan.FromSeconds(result.GetValue(idle)), Console.Out, ct));

var root = new RootCommand("BuzzTalk benchmarks; figures are recorded in docs/benchmarks.md.") { startup, rss };
return await root.Parse(args).InvokeAsync();

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BuzzTalk.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Run the benchmarks from inside the BuzzTalk repository.");
}
