package dev.wf.cli;

import dev.wf.cli.dashboard.Dashboard;
import dev.wf.protocol.Topics;
import dev.wf.protocol.trust.Signer;
import java.io.IOException;
import java.net.BindException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wf dashboard}: a web page of the runs, their steps and the agents, built from the events,
 * results and agents topics alone, live. Cancels and approvals from the page go through the same
 * intake path as {@code wf cancel} and {@code wf approve}.
 */
@Command(
    name = "dashboard",
    description =
        "Serve a live web dashboard of runs, steps and agents, read from the events, results and"
            + " agents topics.",
    mixinStandardHelpOptions = true)
public final class DashboardCommand implements Callable<Integer> {
  /** The default port of {@code wf dashboard}. */
  public static final int DEFAULT_PORT = 7080;

  @Mixin ConnectionOptions kafka;

  @Mixin SubmitterOptions submitter;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "${env:WF_DASHBOARD_PORT:-7080}",
      description = "Port of the web page (env WF_DASHBOARD_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "${env:WF_DASHBOARD_BIND:-127.0.0.1}",
      description =
          "Address to listen on (env WF_DASHBOARD_BIND, default ${DEFAULT-VALUE}: this host only).")
  String bind;

  @Option(
      names = "--http-token",
      paramLabel = "TOKEN",
      defaultValue = "${env:WF_HTTP_TOKEN}",
      description =
          "Require this token (env WF_HTTP_TOKEN): Authorization: Bearer TOKEN, or open"
              + " /?token=TOKEN once in a browser.")
  String httpToken;

  @Option(
      names = "--max-runs",
      paramLabel = "N",
      defaultValue = "5000",
      description = "Runs kept in memory, the newest (default ${DEFAULT-VALUE}).")
  int maxRuns;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (maxRuns < 1) {
      throw new UserError(Main.INVALID, "--max-runs must be at least 1");
    }
    Logging.service();
    String bootstrap = kafka.reachable();
    Dashboard.Settings settings =
        new Dashboard.Settings(kafka.topics(), bind, port, httpToken, who(), maxRuns);
    CountDownLatch stop = new CountDownLatch(1);
    try (Dashboard d =
        open(
            bootstrap,
            kafka.clientProperties(),
            submitter.signer(),
            settings,
            "--port (WF_DASHBOARD_PORT)")) {
      spec.commandLine()
          .getErr()
          .println(
              "dashboard on "
                  + d.url()
                  + (httpToken == null || httpToken.isEmpty() ? "" : " (open ?token=TOKEN once)"));
      spec.commandLine().getErr().flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return Main.OK;
  }

  /**
   * Starts a dashboard on the cluster at {@code bootstrap}: its own reader of the topics, and the
   * intake writer the CLI's commands use, signing as {@code signer} (null: unsigned, for a
   * coordinator run --insecure); the dashboard closes both.
   */
  public static Dashboard open(
      String bootstrap, Map<String, String> props, Signer signer, Dashboard.Settings settings) {
    return open(bootstrap, props, signer, settings, "--port");
  }

  /** The same; a taken port is reported with {@code portOption}, the option that changes it. */
  static Dashboard open(
      String bootstrap,
      Map<String, String> props,
      Signer signer,
      Dashboard.Settings settings,
      String portOption) {
    IntakeWriter intake = new IntakeWriter(bootstrap, settings.topics(), props, signer);
    try {
      return Dashboard.start(settings, Kafka.reader(bootstrap, props, 50), intake);
    } catch (BindException e) {
      throw new UserError(
          Main.UNREACHABLE,
          "port "
              + settings.port()
              + " on "
              + settings.bind()
              + " is taken: choose another with "
              + portOption);
    } catch (IOException e) {
      throw new UserError(Main.UNREACHABLE, "cannot serve the dashboard: " + e.getMessage());
    }
  }

  /** For {@code wf run --dashboard=PORT}: the run's topics, on this host only. */
  static Dashboard openBesideRun(
      String bootstrap, Topics topics, Map<String, String> props, Signer signer, int port) {
    return open(
        bootstrap,
        props,
        signer,
        new Dashboard.Settings(topics, "127.0.0.1", port, null, who(), Dashboard.DEFAULT_MAX_RUNS),
        "--dashboard=PORT");
  }

  /** Who the page's approvals are signed as: this user, through the dashboard. */
  static String who() {
    String user = System.getenv("USER");
    return (user == null || user.isBlank() ? "someone" : user) + " (dashboard)";
  }
}
