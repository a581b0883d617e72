using System.Globalization;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Fleet.Tests.Leases;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Swarm;

/// <summary>
/// What <see cref="HostEngine"/> does when the engine's side misbehaves, with a stand-in for
/// <c>docker system dial-stdio</c> over real SSH and the real lease gate: the stand-in answers each
/// request with the next canned answer of its start (files <c>START.REQUEST</c>), then idles until
/// its input ends, or exits at once when <c>START.exit</c> exists. Each start is counted.
/// </summary>
public sealed class HostEngineFailureTests : IAsyncLifetime
{
    private const string Service = "bt-fake";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private const string StandIn = """
        dir=$1
        n=$(( $(cat "$dir/starts" 2>/dev/null || echo 0) + 1 ))
        echo "$n" >"$dir/starts"
        i=1
        while [ -e "$dir/$n.$i" ]; do
          while :; do IFS= read -r line || exit 0; [ "$line" = "$(printf '\r')" ] && break; done
          cat "$dir/$n.$i"
          i=$((i + 1))
        done
        [ -e "$dir/$n.exit" ] && exit 0
        exec cat >/dev/null
        """;

    // The inspect answer of a replicated service and the update's, as the engine gives them.
    private const string Inspect = "{\"ID\":\"abc123\",\"Version\":{\"Index\":7},\"Spec\":{\"Name\":\"bt-fake\",\"Mode\":{\"Replicated\":{\"Replicas\":1}}}}";
    private static readonly string s_inspected = Answer(Inspect);
    private static readonly string s_updated = Answer("{\"Warnings\":null}");

    private readonly ScratchDirectory _answers = new();
    private SshLeaseHost? _host;

    private SshLeaseHost Host => _host!;

    public async Task InitializeAsync() => _host = await SshLeaseHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _answers.Dispose();
    }

    private static string Answer(string json, string headers = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {json.Length.ToString(CultureInfo.InvariantCulture)}\r\n{headers}\r\n{json}";

    /// <summary>The answers of one start of the stand-in, in request order.</summary>
    private void Start(int start, bool exitAfter, params string[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            File.WriteAllText(Path.Combine(_answers.Path, $"{start}.{i + 1}"), answers[i]);
        }

        if (exitAfter)
        {
            File.WriteAllText(Path.Combine(_answers.Path, $"{start}.exit"), "");
        }
    }

    private int Starts => File.Exists(Path.Combine(_answers.Path, "starts"))
        ? int.Parse(File.ReadAllText(Path.Combine(_answers.Path, "starts")).Trim(), CultureInfo.InvariantCulture)
        : 0;

    private HostEngine Engine() => new(Host.Server.Connect(), Host.LeaseDirectory, ["sh", "-c", StandIn, "fake-docker", _answers.Path]);

    [Theory]
    [InlineData("not HTTP at all\r\n\r\n", "invalid")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ID\":", "ended prematurely")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n{", "maximum buffer size")]
    public async Task A_broken_answer_fails_the_call_clearly_and_the_next_call_opens_a_new_fenced_process(string broken, string says)
    {
        Start(1, exitAfter: true, broken);
        Start(2, exitAfter: false, s_inspected, s_updated);
        await using var engine = Engine();

        var failed = await Assert.ThrowsAsync<IOException>(() => engine.ScaleIfFreeAsync(Service, 2, s_timeout));

        Assert.Contains($"GET /services/{Service} to the docker engine on 127.0.0.1", failed.Message, StringComparison.Ordinal);
        Assert.Contains(says, failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await engine.ScaleIfFreeAsync(Service, 2, s_timeout));
        Assert.Equal((2, 2), (engine.Opened, Starts));
    }

    [Fact]
    public async Task A_connection_closed_by_the_client_is_not_replaced_by_a_process_of_its_own()
    {
        // The engine asks to close after the inspect: the update would need a second connection.
        Start(1, exitAfter: false, Answer(Inspect, "Connection: close\r\n"), s_updated);
        Start(2, exitAfter: false, s_inspected, s_updated);
        var observer = Host.Server.Connect();
        await using var engine = Engine();

        var failed = await Assert.ThrowsAsync<IOException>(() => engine.ScaleIfFreeAsync(Service, 2, s_timeout));

        Assert.Contains("not opened again", failed.Message, StringComparison.Ordinal);
        Assert.Equal(1, Starts);
        // The gate was locked when the call failed: it gave the lock back (its fenced process ended).
        Assert.Equal(0, (await observer.RunAsync("flock", ["-w", "10", Host.LockFile, "true"])).ExitCode);
        Assert.Null(await engine.ScaleIfFreeAsync(Service, 2, s_timeout));
        Assert.Equal((2, 2), (engine.Opened, Starts));
    }

    [Fact]
    public async Task An_engine_that_stops_answering_is_a_timeout_and_the_next_call_opens_afresh()
    {
        // One scale answered, then silence (the stand-in idles on).
        Start(1, exitAfter: false, s_inspected, s_updated);
        Start(2, exitAfter: false, s_inspected, s_updated);
        var observer = Host.Server.Connect();
        await using var engine = Engine();
        Assert.Null(await engine.ScaleIfFreeAsync(Service, 2, s_timeout));

        await Assert.ThrowsAsync<TimeoutException>(() => engine.ScaleIfFreeAsync(Service, 3, TimeSpan.FromSeconds(2)));

        Assert.Equal(0, (await observer.RunAsync("flock", ["-w", "10", Host.LockFile, "true"])).ExitCode);
        Assert.Null(await engine.ScaleIfFreeAsync(Service, 3, s_timeout));
        Assert.Equal((2, 2), (engine.Opened, Starts));
    }

    [Fact]
    public async Task A_refusal_keeps_the_engines_message_and_the_connection()
    {
        const string Refusal = "{\"message\":\"update out of sequence\"}";
        Start(1, exitAfter: false, s_inspected, $"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: {Refusal.Length}\r\n\r\n{Refusal}",
            s_inspected, s_updated);
        await using var engine = Engine();

        var refused = await Assert.ThrowsAsync<EngineApiException>(() => engine.ScaleIfFreeAsync(Service, 2, s_timeout));

        Assert.Equal(409, refused.Response.Status);
        Assert.EndsWith("update out of sequence", refused.Message, StringComparison.Ordinal);
        Assert.Null(await engine.ScaleIfFreeAsync(Service, 2, s_timeout));
        Assert.Equal((1, 1), (engine.Opened, Starts));
    }

    [Fact]
    public async Task A_broken_read_connection_fails_the_read_and_the_next_read_opens_another_without_the_gate()
    {
        const string Tasks = "[{\"ID\":\"t1\",\"ServiceID\":\"abc123\",\"DesiredState\":\"running\",\"Status\":{\"State\":\"running\"}},"
            + "{\"ID\":\"t2\",\"ServiceID\":\"abc123\",\"DesiredState\":\"running\",\"Status\":{\"State\":\"starting\"}}]";
        Start(1, exitAfter: true, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ID\":");
        Start(2, exitAfter: false, s_inspected, Answer(Tasks));
        await using var engine = Engine();

        var failed = await Assert.ThrowsAsync<IOException>(() => engine.RunningTasksAsync(Service, s_timeout));

        Assert.Contains($"GET /services/{Service} to the docker engine on 127.0.0.1", failed.Message, StringComparison.Ordinal);
        Assert.Equal(1, await engine.RunningTasksAsync(Service, s_timeout));
        Assert.Equal((0, 2), (engine.Opened, Starts));
    }
}
