package dev.wf.coordinator.kafka;

import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import dev.wf.protocol.trust.TrustFile;
import dev.wf.protocol.trust.Verifier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Headers;

/**
 * What the coordinator trusts and how it proves itself: the key it signs dispatches and cancels
 * with, and the trust file's submitters and agents. Either may be absent only when the operator
 * said {@code --insecure}: then dispatches go unsigned, and intake records and agents' reports are
 * taken from whoever wrote them.
 *
 * @param signer signs dispatches and agent-control records (null: unsigned)
 * @param trust submitters and agents and their pools (null: nobody is checked)
 * @param maxIntakeAge a signed intake record older than this (by its signer's clock) is refused as
 *     a possible replay
 * @param pools the pools runs may use (empty: any)
 */
public record CoordinatorTrust(
    Signer signer, TrustFile.Trust trust, Duration maxIntakeAge, Set<String> pools) {
  /** The header the triage sets on an intake record whose signature verified: who signed it. */
  static final String SUBMITTER = "wf.submitter";

  /** The submitter name of signals sent through the coordinator's own API (token holders). */
  static final String API = "coordinator-api";

  public CoordinatorTrust {
    pools = Set.copyOf(pools);
  }

  public static CoordinatorTrust insecure() {
    return new CoordinatorTrust(null, null, Duration.ofMinutes(10), Set.of());
  }

  public boolean secure() {
    return signer != null && trust != null;
  }

  public CoordinatorTrust withPools(Collection<String> allowed) {
    return new CoordinatorTrust(signer, trust, maxIntakeAge, Set.copyOf(allowed));
  }

  /** Who signed an intake record, or why it is refused. Null verifier: nobody is checked. */
  Verifier.Check submitter(String key, byte[] value, Headers headers, long now) {
    Verifier.Check c = trust.submitterKeys().check(Signed.Purpose.INTAKE, key, value, headers);
    if (c.ok() && Math.abs(now - c.verified().signedAt()) > maxIntakeAge.toMillis()) {
      return new Verifier.Check(
          null,
          "signed by "
              + c.verified().signer()
              + " "
              + (now - c.verified().signedAt()) / 1000
              + " s ago, more than "
              + maxIntakeAge.toSeconds()
              + " s (a replay, or a clock far off)");
    }
    return c.ok() ? c : new Verifier.Check(null, "intake record " + c.problem());
  }

  /** Why {@code submitter} may not act on runs using {@code used}, or empty when it may. */
  Optional<String> mayUse(String submitter, Collection<String> used) {
    Set<String> out = new TreeSet<>();
    if (!pools.isEmpty()) {
      used.stream().filter(p -> !pools.contains(p)).forEach(out::add);
      if (!out.isEmpty()) {
        return Optional.of(
            "pool(s) " + out + " are not among this coordinator's pools " + new TreeSet<>(pools));
      }
    }
    if (trust == null || API.equals(submitter)) {
      return Optional.empty();
    }
    if (submitter == null) {
      return Optional.of("unsigned: this coordinator takes only signed intake records");
    }
    TrustFile.Party p = trust.submitters().get(submitter);
    if (p == null) {
      return Optional.of("submitter " + submitter + " is not in the trust file");
    }
    used.stream().filter(pool -> !p.mayUse(pool)).forEach(out::add);
    return out.isEmpty()
        ? Optional.empty()
        : Optional.of("submitter " + submitter + " may not use pool(s) " + out);
  }

  /**
   * Why a record signed with agent key {@code signer} may not speak for agent {@code agent} (on a
   * step of {@code pool}, when not null), or empty when it may.
   */
  Optional<String> mayReport(String signer, String agent, String pool) {
    if (trust == null) {
      return Optional.empty();
    }
    TrustFile.Party p = trust.agents().get(signer);
    if (p == null) {
      return Optional.of("agent key " + signer + " is not in the trust file");
    }
    if (!p.speaksFor(agent)) {
      return Optional.of("agent key " + signer + " does not speak for agent " + agent);
    }
    return pool == null || p.mayUse(pool)
        ? Optional.empty()
        : Optional.of("agent key " + signer + " may not report on steps of pool " + pool);
  }

  List<String> describe() {
    return List.of(
        signer == null ? "dispatches UNSIGNED" : "dispatches signed as " + signer.name(),
        trust == null
            ? "intake and reports UNCHECKED"
            : trust.submitters().size()
                + " submitters, "
                + trust.agents().size()
                + " agents trusted");
  }
}
