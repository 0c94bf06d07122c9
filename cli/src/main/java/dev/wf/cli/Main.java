package dev.wf.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wf} command line. */
@Command(
    name = "wf",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A Kafka-driven distributed workflow coordinator.",
    subcommands = {
      ValidateCommand.class,
      RunCommand.class,
      BenchCommand.class,
      SubmitCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      CancelCommand.class,
      ApproveCommand.class,
      RerunCommand.class,
      AgentsCommand.class,
      DashboardCommand.class,
      CoordinatorCommand.class,
      AgentCommand.class,
      BrokerCommand.class,
      KeygenCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit codes of DESIGN.md section 7. */
  public static final int OK = 0;

  public static final int RUN_FAILED = 1;
  public static final int INVALID = 2;
  public static final int UNREACHABLE = 3;
  public static final int INTERRUPTED = 130;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.quiet();
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (for tests). */
  public static int execute(String... args) {
    return execute(
        new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the CLI with its own stdout and stderr. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("wf: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return e instanceof UserError u ? u.exitCode() : RUN_FAILED;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"wf " + (v == null ? "dev" : v)};
    }
  }
}
