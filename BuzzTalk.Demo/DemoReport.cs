using System.Globalization;
using Spectre.Console;

namespace BuzzTalk.Demo;

/// <summary>The summary as tables on the console (and so in the dashboard's console log).</summary>
public static class DemoReport
{
    public static void Print(DemoSummary summary, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        var replicas = new Table().Title("Backend replicas over time").AddColumns("at (s)", "running", "desired", "image");
        foreach (var r in summary.Replicas)
        {
            replicas.AddRow(F(r.AtSeconds), r.Running.ToString(CultureInfo.InvariantCulture), r.Desired?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(r.Image));
        }

        var decisions = new Table().Title("Scale decisions").AddColumns("at", "source", "result", "from", "to", "reason");
        foreach (var (d, repeats) in Runs(summary.Decisions.Where(d => d.Result != "unchanged")))
        {
            decisions.AddRow(d.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(d.Source),
                Markup.Escape(repeats > 1 ? $"{d.Result} ×{repeats}" : d.Result),
                d.From?.ToString(CultureInfo.InvariantCulture) ?? "-", d.To?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(d.Reason));
        }

        var deploys = new Table().Title("Deploys").AddColumns("deploy", "tag", "outcome", "seconds", "requests sent", "failed");
        foreach (var d in summary.Deploys)
        {
            deploys.AddRow(Markup.Escape(d.Name), Markup.Escape(d.Tag), Markup.Escape(d.Outcome), F(d.Seconds),
                d.Sent.ToString(CultureInfo.InvariantCulture), d.Failed.ToString(CultureInfo.InvariantCulture));
        }

        var figures = new Table().Title("Figures").AddColumns("figure", "value");
        figures.AddRow("overload → new replica (s)", summary.OverloadToReplicaSeconds is { } up ? F(up) : "-");
        figures.AddRow("load stopped → back to 1 replica (s)", summary.ScaleDownSeconds is { } down ? F(down) : "-");
        figures.AddRow("peak backend replicas", summary.PeakReplicas.ToString(CultureInfo.InvariantCulture));
        figures.AddRow("requests outside deploys: sent / failed", $"{summary.LoadSent} / {summary.LoadFailed}");
        figures.AddRow("lease free after the rollback", summary.LeaseReleasedAfterRollback switch { true => "yes", false => "no", null => "-" });
        figures.AddRow("Prometheus targets from Discovery", Markup.Escape(string.Join(", ", summary.Targets.Select(t => $"{t.Job} {t.Address} {t.Health}"))));
        figures.AddRow("scaling alert reached the Scaler via Alertmanager", summary.AlertReachedScaler ? "yes" : "no");
        figures.AddRow("demo wall time (s)", F(summary.WallSeconds));

        console.Write(replicas);
        console.Write(decisions);
        console.Write(deploys);
        console.Write(figures);
        console.MarkupLine(summary.Passed ? "[green]Demo passed.[/]" : "[red]Demo failed:[/]");
        foreach (var problem in summary.Problems)
        {
            console.MarkupLine("  - " + Markup.Escape(problem));
        }
    }

    /// <summary>The same tables as plain text (no colour), for a file a script prints.</summary>
    public static string Text(DemoSummary summary)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 160;
        Print(summary, console);
        return writer.ToString();
    }

    /// <summary>Consecutive decisions with the same source, result and counts as one row (a deploy defers every evaluation).</summary>
    private static List<(DecisionView First, int Count)> Runs(IEnumerable<DecisionView> decisions)
    {
        var runs = new List<(DecisionView First, int Count)>();
        foreach (var d in decisions)
        {
            if (runs.Count > 0 && runs[^1].First is var first && first.Source == d.Source && first.Result == d.Result && first.From == d.From && first.To == d.To)
            {
                runs[^1] = (first, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((d, 1));
            }
        }

        return runs;
    }

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
