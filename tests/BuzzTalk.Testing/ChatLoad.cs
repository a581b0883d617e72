using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace BuzzTalk.Testing;

/// <summary>
/// Chat users against a site, as the chat page behaves: each client holds a websocket on its
/// room, and when the socket closes it reconnects with the page's jittered backoff and catches up
/// with <c>GET /backend/api/rooms/&lt;room&gt;/messages?after=&lt;id&gt;</c>. Each client also
/// posts to its room over HTTP at a steady pace, and two probes ask for the page and for the API.
/// At the end every client must have seen every message posted to its room.
/// </summary>
public sealed class ChatLoad
{
    /// <summary>The chat page's backoff (app.js): the first retry after 0.25-0.5 s, doubling, at most 30 s.</summary>
    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);
    private const int PageSize = 100;

    private readonly Uri _site;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopPosting = new();
    private readonly CancellationTokenSource _stopClients = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, byte>> _posted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _postFailures = new();
    private readonly List<Client> _clients = [];
    private readonly List<Task> _posters = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private BalancerProbe? _page;
    private BalancerProbe? _api;

    private ChatLoad(Uri site)
    {
        _site = site;
        // A new connection per request, as BalancerProbe: a kept-alive one would hide a restart.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = site, Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>Connects every client (each caught up), then starts the posting and the probes.</summary>
    /// <param name="site">The instance's edge (http://host:port/).</param>
    /// <param name="clients">Websocket clients, spread over <paramref name="rooms"/> rooms.</param>
    /// <param name="postEvery">How often each client posts a message.</param>
    /// <param name="probeEvery">How often each probe asks for the page and for a room's messages.</param>
    public static async Task<ChatLoad> StartAsync(Uri site, int clients, int rooms, TimeSpan postEvery, TimeSpan probeEvery, CancellationToken cancellationToken)
    {
        var load = new ChatLoad(site);
        var tag = Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < clients; i++)
        {
            var room = $"load-{tag}-{i % rooms}";
            load._posted.TryAdd(room, new ConcurrentDictionary<long, byte>());
            var client = new Client(load, i, room);
            load._clients.Add(client);
            await client.ConnectFirstAsync(cancellationToken);
        }

        foreach (var client in load._clients)
        {
            client.Follow();
            load._posters.Add(Task.Run(() => load.PostAsync(client, postEvery), CancellationToken.None));
        }

        load._page = BalancerProbe.Start(new Uri(site, "/"), probeEvery);
        load._api = BalancerProbe.Start(new Uri(site, $"/backend/api/rooms/load-{tag}-0/messages"), probeEvery);
        return load;
    }

    /// <summary>Time since the load started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>Clients whose socket is closed right now (between a close and the reconnect).</summary>
    public int Offline => _clients.Count(c => !c.Online);

    /// <summary>Waits until every client is online, or the timeout passes.</summary>
    public Task<bool> WaitAllOnlineAsync(TimeSpan timeout) => WaitUntilAsync(() => Offline == 0, timeout);

    /// <summary>Waits until every client has posted once more (a full round of the load), or the timeout passes.</summary>
    public Task<bool> WaitEveryClientPostedAsync(TimeSpan timeout)
    {
        var before = _clients.Select(c => c.Posts).ToList();
        return WaitUntilAsync(() => _clients.Select((c, i) => c.Posts > before[i]).All(posted => posted), timeout);
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        return true;
    }

    /// <summary>
    /// Stops posting and probing, waits (up to <paramref name="delivery"/>) for every client to
    /// have seen every message of its room, closes the clients and reports.
    /// </summary>
    public async Task<ChatLoadResult> StopAsync(TimeSpan delivery)
    {
        await _stopPosting.CancelAsync();
        await Task.WhenAll(_posters);
        var page = await _page!.StopAsync();
        var api = await _api!.StopAsync();
        await WaitUntilAsync(() => _clients.All(c => Missing(c) == 0), delivery);

        var reports = _clients.Select(c => new ChatClientReport(c.Number, c.Room, [.. c.Disconnects], Missing(c))).ToList();
        await _stopClients.CancelAsync();
        foreach (var client in _clients)
        {
            await client.CloseAsync();
        }

        _http.Dispose();
        return new ChatLoadResult(page, api, _posted.Values.Sum(p => p.Count), [.. _postFailures], reports);
    }

    private int Missing(Client client) => _posted[client.Room].Keys.Count(id => !client.Seen.ContainsKey(id));

    private async Task PostAsync(Client client, TimeSpan every)
    {
        var stop = _stopPosting.Token;
        var sent = 0;
        try
        {
            // Spread the clients' posts over the period instead of all at once.
            await Task.Delay(every * Random.Shared.NextDouble(), stop);
            while (!stop.IsCancellationRequested)
            {
                var started = Elapsed;
                try
                {
                    using var response = await _http.PostAsJsonAsync($"/backend/api/rooms/{client.Room}/messages",
                        new { author = $"client-{client.Number}", text = $"{client.Number}-{sent++}" }, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var message = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                        _posted[client.Room].TryAdd(message.GetProperty("id").GetInt64(), 0);
                        client.Posted();
                    }
                    else
                    {
                        _postFailures.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{started.TotalSeconds:F1} s: POST {(int)response.StatusCode}"));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                {
                    _postFailures.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{started.TotalSeconds:F1} s: POST {ex.GetType().Name}: {ex.Message}"));
                }

                await Task.Delay(every, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>One chat user: its socket, what it has seen, and every disconnect.</summary>
    private sealed class Client(ChatLoad load, int number, string room)
    {
        private ClientWebSocket? _socket;
        private long _lastId;
        private Task? _follow;
        private volatile bool _online;
        private int _posts;

        public int Number => number;

        public string Room => room;

        public ConcurrentDictionary<long, byte> Seen { get; } = new();

        public ConcurrentQueue<ChatDisconnect> Disconnects { get; } = new();

        public bool Online => _online;

        /// <summary>Messages it posted successfully.</summary>
        public int Posts => Volatile.Read(ref _posts);

        public void Posted() => Interlocked.Increment(ref _posts);

        public async Task ConnectFirstAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (true)
            {
                try
                {
                    _socket = await ConnectAsync(timeout.Token);
                    await CatchUpAsync(timeout.Token);
                    _online = true;
                    return;
                }
                catch (Exception ex) when (ex is WebSocketException or HttpRequestException && !timeout.IsCancellationRequested)
                {
                    _socket?.Dispose();
                    _socket = null;
                    await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
                }
            }
        }

        public void Follow() => _follow = Task.Run(FollowAsync);

        public async Task CloseAsync()
        {
            if (_follow is not null)
            {
                await _follow;
            }

            if (_socket is { State: WebSocketState.Open } socket)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    // The server went first.
                }
            }

            _socket?.Dispose();
        }

        private async Task FollowAsync()
        {
            var stop = load._stopClients.Token;
            while (!stop.IsCancellationRequested)
            {
                var closed = await ReceiveUntilClosedAsync(_socket!, stop);
                if (closed is not { } close)
                {
                    return; // stopped
                }

                var code = close.Code;

                _online = false;
                var closedAt = load.Elapsed;
                _socket!.Dispose();
                _socket = null;
                var refused = 0;
                for (var retries = 0; _socket is null; retries++)
                {
                    var ceiling = TimeSpan.FromMilliseconds(Math.Min(MaxRetry.TotalMilliseconds, MinRetry.TotalMilliseconds * Math.Pow(2, retries)));
                    try
                    {
                        await Task.Delay(ceiling / 2 + ceiling / 2 * Random.Shared.NextDouble(), stop);
                        _socket = await ConnectAsync(stop);
                    }
                    catch (OperationCanceledException)
                    {
                        Disconnects.Enqueue(new ChatDisconnect(code, closedAt, null, refused, close.Why));
                        return;
                    }
                    catch (WebSocketException)
                    {
                        refused++;
                    }
                }

                _online = true;
                Disconnects.Enqueue(new ChatDisconnect(code, closedAt, load.Elapsed - closedAt, refused, close.Why));
                try
                {
                    await CatchUpAsync(stop);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The next disconnect (or the final check) shows what is missing.
                }
            }
        }

        private async Task<ClientWebSocket> ConnectAsync(CancellationToken cancellationToken)
        {
            var socket = new ClientWebSocket();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var ws = new UriBuilder(load._site) { Scheme = "ws", Path = $"/ws/chat/{room}/" }.Uri;
                await socket.ConnectAsync(ws, timeout.Token);
                return socket;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new WebSocketException("no handshake within 5 s");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>The page's catch-up: the next pages after the last id it has, until a short one.</summary>
        private async Task CatchUpAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var body = await load._http.GetFromJsonAsync<JsonElement>($"/backend/api/rooms/{room}/messages?after={_lastId.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
                var count = 0;
                foreach (var message in body.GetProperty("messages").EnumerateArray())
                {
                    See(message.GetProperty("id").GetInt64());
                    count++;
                }

                if (count < PageSize)
                {
                    return;
                }
            }
        }

        private void See(long id)
        {
            Seen.TryAdd(id, 0);
            // Catch-up and the socket run at once; the last id only grows.
            long last;
            while (id > (last = Interlocked.Read(ref _lastId)) && Interlocked.CompareExchange(ref _lastId, id, last) != last)
            {
            }
        }

        /// <summary>
        /// Reads messages until the socket closes: its close code (1006 for a drop without a close
        /// frame) and the close's reason or the drop's error, or null when stopped.
        /// </summary>
        private async Task<(int Code, string? Why)?> ReceiveUntilClosedAsync(ClientWebSocket socket, CancellationToken stop)
        {
            var buffer = new byte[16 * 1024];
            using var frame = new MemoryStream();
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, stop);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return ((int?)received.CloseStatus ?? 1005, received.CloseStatusDescription);
                    }

                    frame.Write(buffer, 0, received.Count);
                    if (!received.EndOfMessage)
                    {
                        continue;
                    }

                    using (var json = JsonDocument.Parse(frame.ToArray()))
                    {
                        if (json.RootElement.TryGetProperty("type", out var type) && type.GetString() == "message")
                        {
                            See(json.RootElement.GetProperty("message").GetProperty("id").GetInt64());
                        }
                    }

                    frame.SetLength(0);
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (WebSocketException ex)
            {
                // The whole chain: a reset and a missing close handshake read differently.
                return (1006, string.Join(" <- ", Chain(ex)));
            }
        }

        private static IEnumerable<string> Chain(Exception? ex)
        {
            for (; ex is not null; ex = ex.InnerException)
            {
                yield return ex.Message;
            }
        }
    }
}

/// <param name="Code">The close code (1001 going away; 1006 dropped without a close frame).</param>
/// <param name="At">When it closed, from the start of the load.</param>
/// <param name="ReconnectedAfter">Close to connected again; null when it never was.</param>
/// <param name="Refused">Reconnect attempts refused before one got in.</param>
/// <param name="Why">The close frame's reason, or for a 1006 the error the client read.</param>
public sealed record ChatDisconnect(int Code, TimeSpan At, TimeSpan? ReconnectedAfter, int Refused, string? Why = null);

/// <param name="Missing">Messages posted to its room that it never saw (by socket or catch-up).</param>
public sealed record ChatClientReport(int Client, string Room, IReadOnlyList<ChatDisconnect> Disconnects, int Missing);

/// <param name="Page">The probe asking for the page.</param>
/// <param name="Api">The probe asking for a room's messages.</param>
/// <param name="Posted">Messages posted (201).</param>
/// <param name="PostFailures">Posts that failed: when and why.</param>
/// <param name="Clients">Every client.</param>
public sealed record ChatLoadResult(ProbeResult Page, ProbeResult Api, int Posted, IReadOnlyList<string> PostFailures, IReadOnlyList<ChatClientReport> Clients)
{
    public int Requests => Page.Sent + Api.Sent + Posted + PostFailures.Count;

    public int FailedRequests => Page.Failures.Count + Api.Failures.Count + PostFailures.Count;

    public IReadOnlyList<ChatDisconnect> Disconnects => [.. Clients.SelectMany(c => c.Disconnects)];

    /// <summary>Every failed request and every disconnect that is not a 1001, for an assertion message.</summary>
    public string Describe() => string.Join("\n", Page.Failures.Select(f => "page " + f).Concat(Api.Failures.Select(f => "api " + f)).Concat(PostFailures)
        .Concat(Clients.SelectMany(c => c.Disconnects.Select(d => string.Create(CultureInfo.InvariantCulture,
            $"client {c.Client}: closed {d.Code} at {d.At.TotalSeconds:F1} s, back after {d.ReconnectedAfter?.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) ?? "never"} ({d.Refused} refused){(d.Code == 1001 ? "" : ": " + d.Why)}"))))
        .Concat(Clients.Where(c => c.Missing > 0).Select(c => $"client {c.Client}: {c.Missing} messages missing")));
}
