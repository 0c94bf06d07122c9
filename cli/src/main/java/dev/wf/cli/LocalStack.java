package dev.wf.cli;

import dev.wf.agent.Agent;
import dev.wf.agent.AgentConfig;
import dev.wf.broker.EmbeddedBroker;
import dev.wf.coordinator.kafka.Coordinator;
import dev.wf.coordinator.kafka.CoordinatorConfig;
import dev.wf.protocol.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code wf run} starts in its own process: an embedded broker (unless a cluster is given), a
 * coordinator and one agent serving the pools the workflow names.
 */
final class LocalStack implements AutoCloseable {
  private final EmbeddedBroker broker;
  private final Coordinator coordinator;
  private final Agent agent;
  private final String bootstrap;
  private final List<Path> cleanup = new ArrayList<>();
  private final dev.wf.protocol.trust.Signer submitter;
  private final Topics topics;
  private final Map<String, String> props;

  private LocalStack(
      EmbeddedBroker broker,
      Coordinator coordinator,
      Agent agent,
      String bootstrap,
      List<Path> cleanup,
      dev.wf.protocol.trust.Signer submitter,
      Topics topics,
      Map<String, String> props) {
    this.submitter = submitter;
    this.topics = topics;
    this.props = props;
    this.broker = broker;
    this.coordinator = coordinator;
    this.agent = agent;
    this.bootstrap = bootstrap;
    this.cleanup.addAll(cleanup);
  }

  static LocalStack start(
      String bootstrapFlag,
      Path dataDir,
      Collection<String> pools,
      Map<String, String> props,
      PrintWriter err) {
    List<Path> cleanup = new ArrayList<>();
    EmbeddedBroker broker = null;
    String bootstrap = bootstrapFlag;
    Topics topics = Topics.DEFAULT;
    Path stateDir;
    try {
      if (bootstrap == null) {
        Path dir = dataDir;
        try {
          err.println("starting the embedded Kafka broker in " + dir + " ...");
          err.flush();
          broker = EmbeddedBroker.start(dir.resolve("broker"), 0, "localhost");
        } catch (EmbeddedBroker.DataDirInUseException e) {
          dir = Files.createTempDirectory("wf-run-");
          cleanup.add(dir);
          err.println(
              dataDir + " is in use by another wf process; this run uses its own broker in " + dir);
          err.flush();
          broker = EmbeddedBroker.start(dir.resolve("broker"), 0, "localhost");
        }
        bootstrap = broker.bootstrap();
        stateDir = dir.resolve("coordinator-state");
      } else {
        Kafka.checkReachable(bootstrap, props, 10_000);
        stateDir = Files.createTempDirectory("wf-state-");
        cleanup.add(stateDir);
        // On a shared cluster this process's coordinator, with keys of its own, must not join the
        // cluster's coordinators (nor another wf run's): topics of its own, deleted at the end.
        topics =
            new Topics("wf-run-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ".");
        err.println(
            "this run uses topics of its own on " + bootstrap + ": " + topics.prefix() + "*");
        err.flush();
      }
      String id = "local-" + ProcessHandle.current().pid();
      // What the agent took lives as long as this process's keys: nothing to keep after it.
      Path agentState = Files.createTempDirectory("wf-agent-");
      cleanup.add(agentState);
      Keyring.Ephemeral keys = Keyring.Ephemeral.make(id);
      // One process plays every role: fresh keys, as strict as separate hosts, kept in memory.
      CoordinatorConfig cc =
          CoordinatorConfig.defaults(bootstrap, stateDir)
              .withTopics(topics)
              .withClientProperties(props)
              .withTrust(keys.coordinatorTrust());
      Coordinator coordinator = Coordinator.start(cc);
      Path workdir = Path.of("").toAbsolutePath();
      Agent agent =
          Agent.start(
              AgentConfig.defaults(bootstrap, id, List.copyOf(pools), workdir)
                  .withTopics(topics)
                  .withClientProperties(props)
                  .withTimings(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ZERO)
                  .withSecurity(List.of(), keys.agentKeys())
                  .withStateDir(agentState));
      if (!coordinator.awaitRunning(Duration.ofSeconds(60))) {
        throw new UserError(Main.UNREACHABLE, "the coordinator did not start within 60 s");
      }
      return new LocalStack(
          broker, coordinator, agent, bootstrap, cleanup, keys.submitter(), topics, props);
    } catch (IOException e) {
      throw new UserError(Main.RUN_FAILED, "cannot prepare " + dataDir + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(Main.INTERRUPTED, "interrupted while starting");
    } catch (IllegalStateException e) {
      throw new UserError(Main.UNREACHABLE, e.getMessage());
    }
  }

  String bootstrap() {
    return bootstrap;
  }

  /** The topics this run uses: the default ones on its own broker, private ones on a cluster. */
  Topics topics() {
    return topics;
  }

  /** Signs this process's submissions, cancels and approvals; its coordinator trusts it. */
  dev.wf.protocol.trust.Signer submitter() {
    return submitter;
  }

  @Override
  public void close() {
    agent.close();
    coordinator.close();
    if (broker != null) {
      broker.close();
    } else {
      deleteTopics();
    }
    for (Path p : cleanup) {
      deleteTree(p);
    }
  }

  /** Best effort: the private topics of a run on a shared cluster go with it. */
  private void deleteTopics() {
    Map<String, Object> p = new java.util.HashMap<>(props);
    p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      var names =
          admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith(topics.prefix()))
              .toList();
      admin.deleteTopics(names).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // what cannot be deleted now stays, named after this run's prefix
    }
  }

  static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
