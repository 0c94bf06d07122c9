package dev.wf.cli;

import dev.wf.protocol.trust.Keys;
import dev.wf.protocol.trust.Signer;
import dev.wf.protocol.trust.TrustFile;
import dev.wf.protocol.trust.Verifier;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the key files named by the options, with errors that name the option and the file. A key's
 * name is its file's name without {@code .key} or {@code .pub}, as {@code wf keygen NAME} writes
 * them: {@code coordinator.key} signs as "coordinator", and {@code coordinator.pub} verifies it.
 */
final class Keyring {
  private Keyring() {}

  static String nameOf(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** The private key in {@code file}, signing as {@code name} (null: the file's name). */
  static Signer signer(String option, Path file, String name) {
    try {
      return Signer.fromFile(name == null || name.isBlank() ? nameOf(file) : name, file);
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, option + ": " + e.getMessage());
    }
  }

  /** The public keys in {@code files}, each trusted under its file's name. */
  static Verifier verifier(String option, List<Path> files) {
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (Path f : files) {
      try {
        keys.put(nameOf(f), Keys.readPublic(f));
      } catch (IllegalArgumentException e) {
        throw new UserError(Main.INVALID, option + ": " + e.getMessage());
      }
    }
    return new Verifier(keys);
  }

  static TrustFile.Trust trust(Path file) {
    try {
      return TrustFile.read(file);
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, "--trust: " + e.getMessage());
    }
  }

  /** Everything in one process (wf run, wf bench): fresh keys that live as long as it does. */
  record Ephemeral(
      Signer coordinator,
      Verifier coordinatorKey,
      Signer agent,
      Signer submitter,
      TrustFile.Trust trust) {
    dev.wf.coordinator.kafka.CoordinatorTrust coordinatorTrust() {
      return new dev.wf.coordinator.kafka.CoordinatorTrust(
          coordinator, trust, java.time.Duration.ofMinutes(10), java.util.Set.of());
    }

    dev.wf.agent.AgentKeys agentKeys() {
      return new dev.wf.agent.AgentKeys(coordinatorKey, agent);
    }

    static Ephemeral make(String agentId) {
      var c = Keys.generate();
      var a = Keys.generate();
      var s = Keys.generate();
      TrustFile.Trust trust =
          new TrustFile.Trust(
              Map.of("wf-run", new TrustFile.Party("wf-run", s.getPublic(), java.util.Set.of("*"))),
              Map.of(agentId, new TrustFile.Party(agentId, a.getPublic(), java.util.Set.of("*"))));
      return new Ephemeral(
          new Signer("coordinator", c.getPrivate()),
          Verifier.of("coordinator", c.getPublic()),
          new Signer(agentId, a.getPrivate()),
          new Signer("wf-run", s.getPrivate()),
          trust);
    }
  }
}
