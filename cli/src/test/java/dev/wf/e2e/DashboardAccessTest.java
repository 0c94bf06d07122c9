package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.cli.DashboardCommand;
import dev.wf.cli.dashboard.Dashboard;
import dev.wf.protocol.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may read the dashboard and press its buttons, as the coordinator's API decides it. */
class DashboardAccessTest {
  static final String TOKEN = "s3cret-" + UUID.randomUUID();
  static Dashboard dashboard;
  static String url;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    Topics topics = new Topics("acc" + UUID.randomUUID().toString().substring(0, 8) + ".");
    dashboard =
        DashboardCommand.open(
            TestKafka.bootstrap(),
            Map.of(),
            null,
            new Dashboard.Settings(topics, "127.0.0.1", 0, TOKEN, "tester", 100));
    url = dashboard.url().toString();
  }

  @AfterAll
  static void stop() {
    dashboard.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String... headers) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path))
            .headers(headers)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldRefuseEveryPageWithoutTheToken() throws Exception {
    assertThat(get("").statusCode()).isEqualTo(401);
    assertThat(get("").body()).contains("/?token=TOKEN");
    assertThat(get("api/runs").statusCode()).isEqualTo(401);
    assertThat(get("events?scope=runs").statusCode()).isEqualTo(401);
    assertThat(get("api/runs", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(get("health").statusCode()).as("probes hold no token").isEqualTo(200);
  }

  @Test
  void shouldServeABearerOfTheToken() throws Exception {
    HttpResponse<String> r = get("api/runs", "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"runs\":[]");
  }

  @Test
  void shouldTurnATokenInTheAddressIntoACookieTheBrowserKeeps() throws Exception {
    HttpResponse<String> r = get("?token=" + TOKEN);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/");
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");

    String pair = cookie.substring(0, cookie.indexOf(';'));
    assertThat(get("", "Cookie", pair).statusCode()).isEqualTo(200);
    assertThat(get("?token=wrong").statusCode()).as("a wrong token sets nothing").isEqualTo(401);
  }

  @Test
  void shouldRefuseAnActionThatDoesNotComeFromThePage() throws Exception {
    String auth = "Bearer " + TOKEN;
    assertThat(post("api/runs/r1/cancel", "Authorization", auth).statusCode())
        .as("without the page's header")
        .isEqualTo(403);
    assertThat(
            post(
                    "api/runs/r1/cancel",
                    "Authorization",
                    auth,
                    "X-WF-Dashboard",
                    "1",
                    "Origin",
                    "https://evil.example")
                .statusCode())
        .as("from another site")
        .isEqualTo(403);
    assertThat(
            post("api/runs/r1/cancel", "Authorization", auth, "X-WF-Dashboard", "1").statusCode())
        .as("from the page, for a run it does not know")
        .isEqualTo(404);
  }

  @Test
  void shouldServeAsAProcessOfItsOwnWithItsSettingsFromTheCommandLine() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    java.nio.file.Path log = java.nio.file.Files.createTempDirectory("wf-dash-").resolve("d.log");
    try (Child child =
        Child.start(
            log,
            "dashboard",
            "--bootstrap",
            TestKafka.bootstrap(),
            "--topic-prefix",
            "proc" + UUID.randomUUID().toString().substring(0, 8) + ".",
            "--port",
            "" + port,
            "--http-token",
            TOKEN)) {
      HttpRequest health =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs"))
              .header("Authorization", "Bearer " + TOKEN)
              .build();
      long deadline = System.currentTimeMillis() + 60_000;
      HttpResponse<String> r = null;
      while (r == null && System.currentTimeMillis() < deadline && child.alive()) {
        try {
          r = http.send(health, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
          Thread.sleep(100); // its JVM is starting
        }
      }
      assertThat(r).as(java.nio.file.Files.readString(log)).isNotNull();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(java.nio.file.Files.readString(log))
          .contains("dashboard on http://127.0.0.1:" + port + "/");
    }
  }

  @Test
  void shouldNameThePortAndTheOptionWhenThePortIsTaken() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      CliTest.Ran r =
          CliTest.wf(
              "dashboard",
              "--bootstrap",
              TestKafka.bootstrap(),
              "--port",
              "" + taken.getLocalPort());
      assertThat(r.code()).isEqualTo(3);
      assertThat(r.err())
          .contains("port " + taken.getLocalPort())
          .contains("--port")
          .contains("WF_DASHBOARD_PORT");
    }
  }

  @Test
  void shouldAnswerOnlyToLoopbackNamesWhenBoundToThisHostOnly() throws Exception {
    assertThat(rawStatus("localhost")).isEqualTo(200);
    assertThat(rawStatus("127.0.0.1")).isEqualTo(200);
    assertThat(rawStatus("attacker.example"))
        .as("a name pointed at 127.0.0.1 by someone else (DNS rebinding)")
        .isEqualTo(403);
  }

  /** The status of {@code GET /health} asked with {@code Host: name} (HttpClient sets its own). */
  private static int rawStatus(String name) throws Exception {
    URI u = URI.create(url);
    try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
      s.getOutputStream()
          .write(
              ("GET /health HTTP/1.1\r\nHost: "
                      + name
                      + ":"
                      + u.getPort()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }
}
