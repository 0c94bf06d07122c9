package dev.wf.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Who signs what a command writes to the intake: shared by the commands that write it. */
final class SubmitterOptions {
  @Option(
      names = "--submitter-key",
      paramLabel = "FILE",
      defaultValue = "${env:WF_SUBMITTER_KEY}",
      description =
          "Sign what this command writes to the intake with this private key (env WF_SUBMITTER_KEY;"
              + " see wf keygen). A coordinator with a trust file takes only signed records.")
  Path submitterKey;

  @Option(
      names = "--submitter",
      paramLabel = "NAME",
      defaultValue = "${env:WF_SUBMITTER}",
      description =
          "The name the trust file knows the key by (env WF_SUBMITTER; default: the key file's"
              + " name without .key).")
  String submitter;

  /** Who signs intake records, or null when no key is given (the coordinator may refuse them). */
  dev.wf.protocol.trust.Signer signer() {
    return submitterKey == null ? null : Keyring.signer("--submitter-key", submitterKey, submitter);
  }
}
