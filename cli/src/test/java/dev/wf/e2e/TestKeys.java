package dev.wf.e2e;

import dev.wf.agent.AgentKeys;
import dev.wf.coordinator.kafka.CoordinatorTrust;
import dev.wf.protocol.trust.Keys;
import dev.wf.protocol.trust.Signer;
import dev.wf.protocol.trust.TrustFile;
import dev.wf.protocol.trust.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The keys of a test stack, as an operator would make them with {@code wf keygen}: the
 * coordinator's, a submitter's ("tester", every pool), one agent key shared by the stack's agents
 * ("agents", every pool, any agent id), and two parties trusted with less: "builder" may submit to
 * pool build alone, "outsider" may report on pool elsewhere alone. Written to files, so that
 * processes read them as they would in production.
 */
final class TestKeys {
  final Path dir;
  final Path trustFile;

  private TestKeys(Path dir) {
    this.dir = dir;
    this.trustFile = dir.resolve("trust.yaml");
  }

  static TestKeys in(Path dir) throws IOException {
    TestKeys k = new TestKeys(dir);
    for (String name : List.of("coordinator", "tester", "agents", "builder", "outsider")) {
      Keys.write(Keys.generate(), dir, name);
    }
    Files.writeString(
        k.trustFile,
        """
        submitters:
          tester: { key: tester.pub, pools: ["*"] }
          builder: { key: builder.pub, pools: [build] }
        agents:
          agents: { key: agents.pub, pools: ["*"], ids: ["*"] }
          outsider: { key: outsider.pub, pools: [elsewhere], ids: ["*"] }
        """);
    return k;
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  Path pub(String name) {
    return dir.resolve(name + ".pub");
  }

  /** A key pair more, for a party the trust file does not list yet (or never will). */
  Path extra(String name) throws IOException {
    if (!Files.exists(key(name))) {
      Keys.write(Keys.generate(), dir, name);
    }
    return key(name);
  }

  CoordinatorTrust coordinatorTrust() {
    return new CoordinatorTrust(
        Signer.fromFile("coordinator", key("coordinator")),
        TrustFile.read(trustFile),
        Duration.ofMinutes(10),
        Set.of());
  }

  AgentKeys agentKeys() {
    return new AgentKeys(
        Verifier.of("coordinator", Keys.readPublic(pub("coordinator"))),
        Signer.fromFile("agents", key("agents")));
  }

  Signer submitter() {
    return Signer.fromFile("tester", key("tester"));
  }

  List<String> coordinatorArgs() {
    return List.of("--signing-key", key("coordinator").toString(), "--trust", trustFile.toString());
  }

  List<String> agentArgs() {
    return List.of(
        "--coordinator-key",
        pub("coordinator").toString(),
        "--agent-key",
        key("agents").toString());
  }

  List<String> submitterArgs() {
    return List.of("--submitter-key", key("tester").toString());
  }
}
