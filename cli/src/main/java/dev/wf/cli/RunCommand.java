package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.cli.dashboard.Dashboard;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.definition.Leaf;
import dev.wf.protocol.definition.Step;
import dev.wf.protocol.definition.Workflow;
import dev.wf.protocol.event.EventType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wf run FILE}: the zero-setup way to run a workflow. Starts an embedded broker (or uses
 * {@code --bootstrap}), a coordinator and an agent in this process, submits the workflow through
 * the intake topic, prints one line per event and exits when the run ends.
 */
@Command(
    name = "run",
    description =
        "Run a workflow here: embedded Kafka broker, coordinator and agent in one process.",
    mixinStandardHelpOptions = true)
final class RunCommand extends WorkflowFileCommand {
  @Option(
      names = "--input",
      paramLabel = "KEY=VALUE",
      description =
          "Override an input (repeatable); the value takes the type of the input's default.")
  List<String> inputs;

  @Option(
      names = "--json",
      description = "Print the WorkflowResult as JSON on stdout (and nothing else there).")
  boolean json;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Use this Kafka cluster instead of the embedded broker (default: $WF_BOOTSTRAP).")
  String bootstrap;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = ".wf",
      description = "Where the embedded broker keeps its log (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description = "Kafka client properties (TLS, SASL...; default: $WF_KAFKA_CONFIG).")
  Path kafkaConfig;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Give up waiting after this long (exit 3); e.g. 30m.")
  String timeout;

  @Option(names = "--run-id", paramLabel = "ID", description = "The run id (default: generated).")
  String runId;

  @Option(
      names = "--approve",
      paramLabel = "STEP",
      description =
          "Approve this approval step as soon as it asks (repeatable), so that the run goes on"
              + " unattended; without it, answer with wf approve RUN STEP.")
  List<String> approve;

  @Option(
      names = "--dashboard",
      paramLabel = "PORT",
      arity = "0..1",
      parameterConsumer = OptionalPort.class,
      description =
          "Also serve the live web dashboard (wf dashboard) while the run goes on, on PORT of this"
              + " host (default 7080; 0: any free port); its address is printed.")
  Integer dashboardPort;

  /**
   * Takes {@code --dashboard}'s port only when one follows, so that {@code wf run --dashboard FILE}
   * keeps FILE as the workflow.
   */
  static final class OptionalPort implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(
        Stack<String> args,
        CommandLine.Model.ArgSpec option,
        CommandLine.Model.CommandSpec command) {
      boolean port = !args.isEmpty() && args.peek().matches("\\d{1,5}");
      option.setValue(port ? Integer.parseInt(args.pop()) : DashboardCommand.DEFAULT_PORT);
    }
  }

  @Mixin DisplayOptions display;

  @Override
  int start(JsonNode tree, Workflow workflow, PrintWriter err) throws Exception {
    Map<String, JsonNode> given = Inputs.parse(inputs, workflow.inputs());
    Duration limit = null;
    if (timeout != null) {
      limit =
          Durations.parse(timeout)
              .orElseThrow(
                  () -> new UserError(Main.INVALID, "--timeout " + timeout + " is not a duration"));
    }
    String id = runId != null ? runId : newRunId();
    Map<String, String> props = Kafka.clientProperties(kafkaConfig);
    String cluster = Kafka.bootstrap(bootstrap);

    try (LocalStack stack = LocalStack.start(cluster, dataDir, pools(workflow.root()), props, err);
        RunClient client =
            new RunClient(stack.bootstrap(), stack.topics(), props, stack.submitter());
        Dashboard dashboard =
            dashboardPort == null
                ? null
                : DashboardCommand.openBesideRun(
                    stack.bootstrap(), stack.topics(), props, stack.submitter(), dashboardPort)) {
      if (dashboard != null) {
        err.println("dashboard: " + dashboard.url() + "runs/" + id);
        err.flush();
      }
      EventLines lines = new EventLines(err);
      Progress progress = Progress.of(display.tree(), id, err, lines);
      AtomicBoolean ended = new AtomicBoolean();
      AtomicBoolean interrupted = new AtomicBoolean();
      CountDownLatch done = new CountDownLatch(1);
      AtomicReference<Thread> main = new AtomicReference<>(Thread.currentThread());
      Thread hook =
          new Thread(
              () -> {
                if (ended.get()) {
                  return;
                }
                interrupted.set(true);
                // through the progress, so that a live tree keeps its place
                progress.note("interrupted: cancelling run " + id + " ...");
                try {
                  client.cancel(id, "interrupted (Ctrl-C in wf run)");
                  done.await(20, TimeUnit.SECONDS);
                } catch (RuntimeException | InterruptedException e) {
                  // exiting anyway
                }
              });
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        client.submit(id, tree, given);
        Set<String> approved = approve == null ? Set.of() : Set.copyOf(approve);
        RunClient.Outcome o =
            client.follow(
                id,
                e -> {
                  progress.event(e);
                  if (e.type() == EventType.STEP_APPROVAL) {
                    if (approved.contains(e.step())) {
                      client.signal(id, e.step(), true, "wf run --approve", "");
                    } else {
                      progress.note(
                          "          waiting: wf approve --bootstrap "
                              + stack.bootstrap()
                              + " "
                              + id
                              + " '"
                              + e.step()
                              + "' (or --reject)");
                    }
                  }
                },
                limit);
        ended.set(true);
        progress.close();
        o.tell(id, lines, err);
        if (o.result() == null) {
          if (o.refusal() == null) {
            err.println(
                "run " + id + " did not end within " + timeout + "; it goes on in the coordinator");
          }
          return o.exitCode();
        }
        if (json) {
          PrintWriter out = spec.commandLine().getOut();
          out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o.result()));
          out.flush();
        }
        return interrupted.get() ? Main.INTERRUPTED : o.exitCode();
      } finally {
        progress.close();
        done.countDown();
        main.set(null);
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
  }

  static String newRunId() {
    return "run-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** Every pool the workflow names (an in-process agent serves them all). */
  static Set<String> pools(Step step) {
    Set<String> out = new TreeSet<>();
    collect(step, out);
    if (out.isEmpty()) {
      out.add(Leaf.DEFAULT_POOL);
    }
    return out;
  }

  private static void collect(Step step, Set<String> out) {
    if (step instanceof Leaf l) {
      out.add(l.pool());
    } else {
      ((dev.wf.protocol.definition.Group) step).steps().forEach(s -> collect(s, out));
    }
  }
}
