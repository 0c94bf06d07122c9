package dev.wf.cli;

import dev.wf.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wf broker}: the embedded KRaft broker as a process of its own. */
@Command(
    name = "broker",
    description = "Run a single-node Kafka broker (KRaft) for a demo or a single-host setup.",
    mixinStandardHelpOptions = true)
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:WF_DATA_DIR:-.wf/broker}",
      description = "Where the broker keeps its log (env WF_DATA_DIR, default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "${env:WF_BROKER_PORT:-9092}",
      description = "Port to listen on (env WF_BROKER_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "${env:WF_BROKER_HOST:-localhost}",
      description =
          "Host name clients use to reach it; not localhost makes it listen on every interface (env WF_BROKER_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Logging.service();
    EmbeddedBroker broker;
    try {
      broker = EmbeddedBroker.start(dataDir, port, host);
    } catch (EmbeddedBroker.DataDirInUseException e) {
      throw new UserError(Main.RUN_FAILED, e.getMessage());
    } catch (RuntimeException e) {
      throw new UserError(Main.RUN_FAILED, "cannot start the broker: " + e.getMessage());
    }
    ServiceStop stop = ServiceStop.onStop(broker::close);
    spec.commandLine()
        .getErr()
        .println("broker ready; data in " + dataDir + "; stop with Ctrl-C or SIGTERM");
    spec.commandLine().getErr().flush();
    spec.commandLine().getOut().println(broker.bootstrap());
    spec.commandLine().getOut().flush();
    return stop.await();
  }
}
