package dev.wf.cli;

import dev.wf.agent.Agent;
import dev.wf.agent.AgentConfig;
import dev.wf.agent.AgentKeys;
import dev.wf.agent.metrics.AgentMetrics;
import dev.wf.agent.metrics.MetricsServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wf agent}: an executor agent serving one or more pools. */
@Command(
    name = "agent",
    description = "Run an executor agent that takes the steps of its pools.",
    mixinStandardHelpOptions = true)
final class AgentCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Mixin AgentAllowlist allow;

  @Mixin AgentMetricsOptions metrics;

  @Option(
      names = "--pool",
      paramLabel = "NAME",
      description =
          "A pool to serve (repeatable; env WF_POOLS, comma-separated; default: default).")
  List<String> pools;

  @Option(
      names = "--id",
      paramLabel = "ID",
      defaultValue = "${env:WF_AGENT_ID}",
      description =
          "This agent's id, unique among live agents (env WF_AGENT_ID, default HOST-PID).")
  String id;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      defaultValue = "${env:WF_MAX_CONCURRENT:-4}",
      description = "Most actions at once (env WF_MAX_CONCURRENT, default ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(
      names = "--workdir",
      paramLabel = "DIR",
      defaultValue = "${env:WF_WORKDIR:-.}",
      description = "Where actions run (env WF_WORKDIR, default ${DEFAULT-VALUE}).")
  Path workdir;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_HEARTBEAT:-2s}",
      description = "Heartbeat interval (env WF_HEARTBEAT, default ${DEFAULT-VALUE}).")
  String heartbeat;

  @Option(
      names = "--kill-grace",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_KILL_GRACE:-5s}",
      description =
          "Between TERM and KILL of a stopped action (env WF_KILL_GRACE, default ${DEFAULT-VALUE}).")
  String killGrace;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:WF_DRAIN_TIMEOUT:-30s}",
      description =
          "On SIGTERM, how long running actions may finish before they are handed back (env WF_DRAIN_TIMEOUT, default ${DEFAULT-VALUE}).")
  String drain;

  @Override
  public Integer call() throws Exception {
    Logging.service();
    AgentKeys keys = allow.keys(); // a missing key is said at once, not after Kafka answers
    String bootstrap = kafka.awaitReachable(org.slf4j.LoggerFactory.getLogger("wf.agent"));
    Set<String> poolSet =
        new LinkedHashSet<>(
            AgentAllowlist.orEnv(pools, System.getenv("WF_POOLS"), List.of("default")));
    for (String p : poolSet) {
      if (!p.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
        throw new UserError(
            Main.INVALID, "--pool " + p + ": a pool name has letters, digits, '.', '_' or '-'");
      }
    }
    metrics.validate();
    if (maxConcurrent < 1) {
      throw new UserError(Main.INVALID, "--max-concurrent must be at least 1");
    }
    if (!Files.exists(workdir)) {
      try {
        Files.createDirectories(workdir);
      } catch (java.io.IOException e) {
        throw new UserError(Main.INVALID, "--workdir " + workdir + ": cannot create it: " + e);
      }
      org.slf4j.LoggerFactory.getLogger("wf.agent")
          .info("work directory {} created", workdir.toAbsolutePath());
    }
    if (!Files.isDirectory(workdir)) {
      throw new UserError(Main.INVALID, "--workdir " + workdir + " is not a directory");
    }
    String agentId =
        id != null && !id.isBlank()
            ? id
            : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    AgentConfig config =
        AgentConfig.defaults(bootstrap, agentId, List.copyOf(poolSet), workdir.toAbsolutePath())
            .withTopics(kafka.topics())
            .withClientProperties(kafka.clientProperties())
            .withMaxConcurrent(maxConcurrent)
            .withTimings(
                CoordinatorCommand.duration("--heartbeat", heartbeat),
                CoordinatorCommand.duration("--kill-grace", killGrace),
                CoordinatorCommand.duration("--drain-timeout", drain))
            .withAllowedKinds(allow.kinds(System.getenv("WF_ALLOW_KINDS")));
    config =
        config
            .withSecurity(allow.commands(), keys)
            .withLinkLocal(allow.allowLinkLocal)
            .withStepLimits(allow.env(), allow.workdirRoot);
    AgentMetrics meters = AgentMetrics.prometheus();
    AtomicReference<Agent> started = new AtomicReference<>();
    MetricsServer endpoint =
        metrics.start(
            meters,
            () ->
                started.get() == null
                    ? "STARTING"
                    : started.get().accepting() ? MetricsServer.RUNNING : "STOPPING");
    Agent agent = Agent.start(config, meters);
    started.set(agent);
    return ServiceStop.onStop(
            () -> {
              agent.close();
              if (endpoint != null) {
                endpoint.close();
              }
            })
        .await();
  }
}
