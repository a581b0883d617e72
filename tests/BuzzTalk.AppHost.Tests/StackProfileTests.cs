using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using BuzzTalk.Testing;
using static Microsoft.Playwright.Assertions;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// The whole stack, exercised over real HTTP and websockets: the same tests for each local
/// profile (one derived class per profile), so both give the same endpoints and behaviour.
/// </summary>
public abstract class StackProfileTests(StackFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private StackHost Host => fixture.Host;

    [Fact]
    public async Task Dashboard_commands_on_backend_and_frontend_reach_the_deployer_service_with_its_credentials()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await Host.App.ResourceNotifications.WaitForResourceHealthyAsync("deployer", cts.Token);

        // The local stack has no fleet and no deploy key: the deployer answers (so auth passed) what is missing.
        var status = await Host.App.ResourceCommands.ExecuteCommandAsync("backend", "status", cts.Token);
        Assert.False(status.Success);
        Assert.Contains("Deployer:Ssh:PrivateKeyFile", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("credentials", status.Message, StringComparison.Ordinal);

        var deploy = await Host.App.ResourceCommands.ExecuteCommandAsync("frontend", "deploy", cts.Token);
        Assert.False(deploy.Success);
        Assert.Contains("Deployer:Ssh:PrivateKeyFile", deploy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_service_is_healthy_and_every_init_step_exits_zero()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        foreach (var service in StackHost.Services)
        {
            var healthy = await Host.App.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
            Assert.Equal(KnownResourceStates.Running, healthy.Snapshot.State?.Text);
        }

        foreach (var step in Host.InitSteps)
        {
            var finished = await Host.App.ResourceNotifications.WaitForResourceAsync(step,
                e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cts.Token);
            Assert.Equal(0, finished.Snapshot.ExitCode);
        }
    }

    [Fact]
    public void Every_workload_runs_as_the_profiles_kind_of_resource()
    {
        foreach (var name in StackHost.Workloads)
        {
            var resource = Host.Model.Resources.Single(r => r.Name == name);
            if (Host.Profile == StackProfile.Containers)
            {
                Assert.IsType<ContainerResource>(resource, exactMatch: false);
            }
            else
            {
                Assert.IsType<ExecutableResource>(resource, exactMatch: false);
            }
        }

        // Aspire's own Redis integration in the containers profile.
        Assert.Equal(Host.Profile == StackProfile.Containers, Host.Model.Resources.Single(r => r.Name == "redis") is RedisResource);
    }

    [Fact]
    public async Task The_frontend_serves_the_chat_page_and_falls_back_to_it_for_client_routes()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("frontend");

        using var page = await http.GetAsync("/", cts.Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("BuzzTalk", html, StringComparison.Ordinal);

        var spaRoute = await http.GetStringAsync("/rooms/lobby", cts.Token);
        Assert.Equal(html, spaRoute);

        var script = await http.GetStringAsync("/app.js", cts.Token);
        Assert.Contains("/ws/chat/", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_people_in_one_room_see_each_others_messages_in_the_browser()
    {
        await using var chromium = await DebianChromium.LaunchAsync();
        var room = ChatApi.NewRoom();
        var url = new Uri(Host.Endpoint("frontend"), "/#" + room).ToString();
        var alice = await chromium.NewPageAsync();
        var bob = await chromium.NewPageAsync();
        foreach (var page in new[] { alice, bob })
        {
            await page.GotoAsync(url);
            // "live": the page's websocket to the room is open.
            await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        }

        // Bob's page loaded the room's history before this was sent: only the websocket can bring it.
        var text = $"hello bob, from {Host.Profile}";
        await alice.FillAsync("#author", "alice");
        await alice.FillAsync("#text", text);
        await alice.ClickAsync("#send-form button[type=submit]");

        await Expect(bob.Locator("#messages")).ToContainTextAsync(text);
        await Expect(bob.Locator("#messages")).ToContainTextAsync("alice");
        await Expect(alice.Locator("#text")).ToHaveValueAsync("");
        await DebianChromium.SaveScreenshotAsync(bob, $"chat-{Host.Profile.ToString().ToLowerInvariant()}");
    }

    [Fact]
    public async Task Backend_health_answers_200_through_nginx_and_nginx_balances_across_both_replicas()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("frontend");
        var replicas = new HashSet<string>();
        for (var i = 0; i < 20 && replicas.Count < 2; i++)
        {
            using var response = await http.GetAsync("/backend/health", cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
            Assert.Equal("ok", body.GetProperty("status").GetString());
            replicas.Add(body.GetProperty("replica").GetString()!);
        }

        Assert.Equal(["backend", "backend-2"], replicas.Order());
    }

    [Fact]
    public async Task A_message_posted_through_one_replica_reaches_a_websocket_on_the_other()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var room = ChatApi.NewRoom();
        await using var subscriber = await ChatClient.ConnectAsync(Host.Endpoint("backend-2"), room, cts.Token);
        using var replicaOne = Host.Client("backend");

        var posted = await ChatApi.PostAsync(replicaOne, "", room, "alice", "hello from replica one", cts.Token);
        var received = await subscriber.ReceiveMessageAsync("hello from replica one", cts.Token);

        Assert.Equal(posted.GetProperty("id").GetInt64(), received.GetProperty("id").GetInt64());
        Assert.Equal("alice", received.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Websockets_upgrade_through_nginx_and_receive_posts_made_on_every_replica()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var room = ChatApi.NewRoom();
        await using var subscriber = await ChatClient.ConnectAsync(Host.Endpoint("frontend"), room, cts.Token);

        foreach (var replica in new[] { "backend", "backend-2" })
        {
            using var http = Host.Client(replica);
            var text = $"posted on {replica}";
            await ChatApi.PostAsync(http, "", room, "bob", text, cts.Token);
            await subscriber.ReceiveMessageAsync(text, cts.Token);
        }
    }

    [Fact]
    public async Task A_message_sent_on_a_websocket_is_broadcast_to_every_subscriber_and_stored()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var room = ChatApi.NewRoom();
        await using var sender = await ChatClient.ConnectAsync(Host.Endpoint("backend"), room, cts.Token);
        await using var other = await ChatClient.ConnectAsync(Host.Endpoint("backend-2"), room, cts.Token);

        await sender.SendAsync("carol", "¡hola, 世界! 👋", cts.Token);
        await other.ReceiveMessageAsync("¡hola, 世界! 👋", cts.Token);
        await sender.ReceiveMessageAsync("¡hola, 世界! 👋", cts.Token);

        using var http = Host.Client("frontend");
        Assert.Contains("¡hola, 世界! 👋", await ChatApi.TextsAsync(http, "/backend", room, cts.Token));
    }

    [Theory]
    [InlineData("/backend/api/rooms/bad%20room!/messages", "{\"author\":\"a\",\"text\":\"b\"}", HttpStatusCode.BadRequest)]
    [InlineData("/backend/api/rooms/lobby/messages", "{\"author\":\"a\",", HttpStatusCode.BadRequest)]
    [InlineData("/backend/api/rooms/lobby/messages", "{\"author\":\"a\"}", HttpStatusCode.BadRequest)]
    public async Task Bad_requests_get_4xx_with_a_reason(string path, string body, HttpStatusCode expected)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("frontend");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content, cts.Token);

        Assert.Equal(expected, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData(20 * 1024)]   // over the backend's 16 KiB limit, under nginx's
    [InlineData(200 * 1024)]  // over nginx's client_max_body_size
    public async Task Oversized_bodies_get_413(int size)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("frontend");
        var json = JsonSerializer.Serialize(new { author = "a", text = new string('x', size) });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/backend/api/rooms/lobby/messages", content, cts.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("/probe/mysql/mysql")]
    [InlineData("/probe/redis/redis")]
    public async Task Discovery_probes_the_stacks_own_mysql_and_redis_through_the_connection_strings_it_references(string path)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("discovery");

        using var response = await http.GetAsync(path, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_serves_the_inventory_and_answers_an_unknown_job_with_a_problem_404()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("discovery");

        Assert.Equal("[]", (await http.GetStringAsync("/sd/targets", cts.Token)).Trim());
        using var unknown = await http.GetAsync("/sd/targets/no-such-job", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_scaler_webhook_demands_the_parameter_password_and_reads_payloads_strictly()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = Host.Client("scaler");
        using var anonymous = new StringContent("{}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/webhooks/alertmanager", anonymous, cts.Token)).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/alertmanager")
        {
            Content = new StringContent("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("alertmanager:" + StackHost.ScalerWebhookPassword)));
        using var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no alerts", await response.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_message_survives_a_restart_of_the_backend_and_of_mariadb()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var room = ChatApi.NewRoom();
        using (var http = Host.Client("frontend"))
        {
            await ChatApi.PostAsync(http, "/backend", room, "dave", "still here", cts.Token);
        }

        await Host.RestartAsync("mysql", cts.Token);
        await Host.RestartAsync("backend", cts.Token);

        using var replica = Host.Client("backend");
        Assert.Contains("still here", await ChatApi.TextsAsync(replica, "", room, cts.Token));
    }
}
