package dev.wf.cli;

import dev.wf.protocol.trust.Keys;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf keygen NAME}: an Ed25519 key pair for the coordinator, an agent or a submitter. */
@Command(
    name = "keygen",
    description = {
      "Make an Ed25519 key pair: DIR/NAME.key (private, mode 600) and DIR/NAME.pub.",
      "The coordinator signs dispatches with its .key; agents verify them with its .pub.",
      "Agents and submitters sign with their own .key; the coordinator's trust file lists their"
          + " .pub with the pools each may use."
    },
    mixinStandardHelpOptions = true)
final class KeygenCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "NAME",
      description = "Whose key: the coordinator, an agent's id, or a submitter's name.")
  String name;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Where to write the two files (default: the current directory).")
  Path dir;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
      throw new UserError(
          Main.INVALID, "NAME may hold only letters, digits, '.', '_', '@' and '-': " + name);
    }
    KeyPair pair = Keys.generate();
    try {
      Keys.write(pair, dir, name);
    } catch (IOException e) {
      throw new UserError(Main.INVALID, e.getMessage());
    }
    var out = spec.commandLine().getOut();
    out.println(dir.resolve(name + ".key") + "  private: give it to " + name + " alone");
    out.println(dir.resolve(name + ".pub") + "  public: give it to whoever checks " + name);
    out.flush();
    return Main.OK;
  }
}
