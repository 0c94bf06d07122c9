package dev.wf.cli;

import dev.wf.coordinator.engine.MachineConfig;
import dev.wf.coordinator.http.QueryServer;
import dev.wf.coordinator.kafka.Coordinator;
import dev.wf.coordinator.kafka.CoordinatorConfig;
import dev.wf.coordinator.kafka.CoordinatorTrust;
import dev.wf.coordinator.kafka.RunQueries;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.definition.WorkflowValidator;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wf coordinator}: the coordinator service alone. */
@Command(
    name = "coordinator",
    description = "Run the coordinator service (Kafka Streams, exactly-once).",
    mixinStandardHelpOptions = true)
final class CoordinatorCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = "${env:WF_STATE_DIR:-.wf/coordinator}",
      description = "Local state stores (env WF_STATE_DIR, default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      defaultValue = "${env:WF_HTTP_PORT:-7070}",
      description =
          "Port of the query API; 0 turns it off (env WF_HTTP_PORT, default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--http-host",
      paramLabel = "HOST",
      defaultValue = "${env:WF_HTTP_HOST}",
      description =
          "Host name other instances use to reach this one's API (env WF_HTTP_HOST, default: this host's name).")
  String httpHost;

  @Option(
      names = "--http-bind",
      paramLabel = "ADDRESS",
      defaultValue = "${env:WF_HTTP_BIND}",
      description =
          "Address the API listens on, e.g. 127.0.0.1 (env WF_HTTP_BIND; default: every"
              + " interface, so that other instances can reach it).")
  String httpBind;

  @Option(
      names = "--http-token",
      paramLabel = "TOKEN",
      defaultValue = "${env:WF_HTTP_TOKEN}",
      description = "Require Authorization: Bearer TOKEN on the API (env WF_HTTP_TOKEN).")
  String httpToken;

  @Option(
      names = "--partitions",
      defaultValue = "${env:WF_PARTITIONS:-3}",
      description =
          "Partitions of the intake and step-event topics (env WF_PARTITIONS, default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication",
      defaultValue = "${env:WF_REPLICATION:-1}",
      description =
          "Replication factor of the topics it creates (env WF_REPLICATION, default ${DEFAULT-VALUE}).")
  short replication;

  @Option(
      names = "--standby-replicas",
      defaultValue = "${env:WF_STANDBY_REPLICAS:-1}",
      description =
          "Warm state copies on other instances (env WF_STANDBY_REPLICAS, default ${DEFAULT-VALUE}).")
  int standbys;

  @Option(
      names = "--commit-interval",
      paramLabel = "MS",
      defaultValue = "${env:WF_COMMIT_INTERVAL_MS:-10}",
      description =
          "Longest time between commits under steady load; a quiet coordinator commits at once when"
              + " an agent or client waits for what it wrote (env WF_COMMIT_INTERVAL_MS, default"
              + " ${DEFAULT-VALUE}).")
  long commitInterval;

  @Option(
      names = "--agent-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_AGENT_TIMEOUT:-10s}",
      description =
          "An agent silent this long is dead; its steps are dispatched again (env WF_AGENT_TIMEOUT, default ${DEFAULT-VALUE}).")
  String agentTimeout;

  @Option(
      names = "--start-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_START_TIMEOUT:-10m}",
      description =
          "Default wait for an agent of a step's pool (env WF_START_TIMEOUT, default ${DEFAULT-VALUE}).")
  String startTimeout;

  @Option(
      names = "--max-lost",
      defaultValue = "${env:WF_MAX_LOST:-3}",
      description =
          "Re-dispatches of a step lost with its agent before it fails (env WF_MAX_LOST, default ${DEFAULT-VALUE}).")
  int maxLost;

  @Option(
      names = "--cancel-grace",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_CANCEL_GRACE:-15s}",
      description =
          "Wait for an agent to confirm a cancel (env WF_CANCEL_GRACE, default ${DEFAULT-VALUE}).")
  String cancelGrace;

  @Option(
      names = "--max-items",
      paramLabel = "N",
      defaultValue = "${env:WF_MAX_ITEMS:-10000}",
      description =
          "How many items a forEach group may fan out to; more fail the group (env WF_MAX_ITEMS, default ${DEFAULT-VALUE}).")
  int maxItems;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_RETENTION:-7d}",
      description =
          "How long an ended run's state is kept for queries and duplicate checks (env WF_RETENTION, default ${DEFAULT-VALUE}).")
  String retention;

  @Option(
      names = "--max-definition-bytes",
      defaultValue = "${env:WF_MAX_DEFINITION_BYTES:-1048576}",
      description =
          "Larger submissions are rejected (env WF_MAX_DEFINITION_BYTES, default ${DEFAULT-VALUE}).")
  int maxBytes;

  @Option(
      names = "--max-steps",
      defaultValue = "${env:WF_MAX_STEPS:-20000}",
      description = "Most steps in one workflow (env WF_MAX_STEPS, default ${DEFAULT-VALUE}).")
  int maxSteps;

  @Option(
      names = "--max-depth",
      defaultValue = "${env:WF_MAX_DEPTH:-32}",
      description = "Deepest nesting of groups (env WF_MAX_DEPTH, default ${DEFAULT-VALUE}).")
  int maxDepth;

  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      defaultValue = "${env:WF_SIGNING_KEY}",
      description =
          "Sign dispatches and cancels with this Ed25519 private key; agents verify them with its"
              + " .pub (env WF_SIGNING_KEY; make one with wf keygen coordinator).")
  Path signingKey;

  @Option(
      names = "--trust",
      paramLabel = "FILE",
      defaultValue = "${env:WF_TRUST}",
      description =
          "Submitters and agents this coordinator trusts, with their public keys and pools"
              + " (env WF_TRUST; see SECURITY.md).")
  Path trustFile;

  @Option(
      names = "--allowed-pools",
      paramLabel = "POOL[,POOL...]",
      split = ",",
      description =
          "Refuse runs whose steps use other pools (env WF_ALLOWED_POOLS; default: any pool).")
  List<String> allowedPools;

  @Option(
      names = "--max-intake-age",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_MAX_INTAKE_AGE:-10m}",
      description =
          "Refuse signed intake records signed longer ago than this: replays (env"
              + " WF_MAX_INTAKE_AGE, default ${DEFAULT-VALUE}).")
  String maxIntakeAge;

  @Option(
      names = "--insecure",
      description =
          "Run without --signing-key and --trust: dispatches unsigned, and anyone who can write"
              + " the intake or step-events topics runs commands on the agents. For a laptop only.")
  boolean insecure;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The trust options, checked: secure unless --insecure says otherwise, and then loudly. */
  CoordinatorTrust trust() {
    List<String> pools =
        AgentAllowlist.orEnv(allowedPools, System.getenv("WF_ALLOWED_POOLS"), List.of());
    if (insecure) {
      if (signingKey != null || trustFile != null) {
        throw new UserError(
            Main.INVALID, "--insecure and --signing-key/--trust contradict each other; pick one");
      }
      org.slf4j.LoggerFactory.getLogger("wf.coordinator")
          .warn(
              "INSECURE: dispatches are unsigned and intake records and agent reports are not"
                  + " checked; anyone who can write wf.intake or wf.step-events can run commands on"
                  + " the agents (see SECURITY.md)");
      return CoordinatorTrust.insecure().withPools(pools);
    }
    if (signingKey == null || trustFile == null) {
      throw new UserError(
          Main.INVALID,
          "a coordinator needs --signing-key (WF_SIGNING_KEY) and --trust (WF_TRUST): make keys"
              + " with `wf keygen`, list submitters and agents in a trust file (SECURITY.md), or"
              + " pass --insecure on a machine of your own");
    }
    return new CoordinatorTrust(
        Keyring.signer("--signing-key", signingKey, null),
        Keyring.trust(trustFile),
        duration("--max-intake-age", maxIntakeAge),
        java.util.Set.copyOf(pools));
  }

  static Duration duration(String option, String value) {
    return Durations.parse(value)
        .orElseThrow(
            () ->
                new UserError(
                    Main.INVALID, option + " " + value + " is not a duration (like 10s, 5m)"));
  }

  @Override
  public Integer call() throws Exception {
    Logging.service();
    CoordinatorTrust trust = trust(); // a missing key is said at once, not after Kafka answers
    String bootstrap = kafka.awaitReachable(org.slf4j.LoggerFactory.getLogger("wf.coordinator"));
    String host =
        httpHost != null && !httpHost.isBlank()
            ? httpHost
            : InetAddress.getLocalHost().getHostName();
    MachineConfig machine =
        new MachineConfig(
            maxLost,
            duration("--cancel-grace", cancelGrace),
            MachineConfig.DEFAULT.reportGrace(),
            duration("--start-timeout", startTimeout),
            maxItems);
    CoordinatorConfig config =
        CoordinatorConfig.defaults(bootstrap, stateDir)
            .withTopics(kafka.topics())
            .withClientProperties(kafka.clientProperties())
            .withPartitions(partitions, replication)
            .withCommitInterval(commitInterval)
            .withMachine(machine, duration("--agent-timeout", agentTimeout))
            .withLimits(maxBytes, new WorkflowValidator.Limits(maxSteps, maxDepth), standbys)
            .withTrust(trust)
            .withRetention(duration("--retention", retention));
    if (httpPort > 0) {
      config = config.withApplicationServer(host + ":" + httpPort);
    }
    if (httpPort > 0) {
      portFree(httpBind, httpPort);
    }
    Coordinator coordinator = Coordinator.start(config);
    QueryServer http = null;
    if (httpPort > 0) {
      http =
          new QueryServer(
              httpBind,
              httpPort,
              new HostInfo(host, httpPort),
              httpToken,
              () -> coordinator.streams().state(),
              new RunQueries(coordinator.streams(), config),
              coordinator.agents(),
              () -> coordinator.meters().scrape(),
              coordinator::toIntake);
      http.start();
    }
    QueryServer api = http;
    ServiceStop stop =
        ServiceStop.onStop(
            () -> {
              if (api != null) {
                api.close();
              }
              coordinator.close();
            });
    coordinator.awaitRunning(Duration.ofMinutes(5));
    org.slf4j.LoggerFactory.getLogger("wf.coordinator")
        .info(
            "coordinator running on {} (topics {}*){}",
            bootstrap,
            config.topics().prefix(),
            httpPort > 0 ? ", API on http://" + host + ":" + httpPort : "");
    return stop.await();
  }

  /** Says which option to change when another process (a second coordinator) has the port. */
  private static void portFree(String bind, int port) {
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(
          bind == null || bind.isBlank()
              ? new java.net.InetSocketAddress(port)
              : new java.net.InetSocketAddress(bind, port));
    } catch (java.io.IOException e) {
      throw new UserError(
          Main.INVALID,
          "the API's port "
              + port
              + " is in use (another coordinator on this host?): give each its own --http-port"
              + " (WF_HTTP_PORT), or 0 to turn the API off");
    }
  }
}
