package dev.wf.agent;

import dev.wf.protocol.Topics;
import dev.wf.protocol.config.RecordCopy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything an executor agent needs, validated at start.
 *
 * @param id this agent's id (unique among live agents)
 * @param pools the pools whose dispatches it takes
 * @param maxConcurrent the most actions it runs at once
 * @param workdir where actions run (a shell action's workdir is relative to it)
 * @param heartbeat how often it tells the coordinator it is alive
 * @param killGrace how long a killed action has between TERM and KILL
 * @param drainTimeout on a graceful stop, how long running actions may go on before they are handed
 *     back
 * @param allowedKinds action kinds it runs (empty: all it knows)
 * @param allowedCommands patterns a shell command must match entirely (empty: any command)
 * @param keys this agent's signing key and the coordinator's public keys (none: --insecure)
 * @param allowLinkLocal whether http steps may call link-local addresses
 * @param allowedEnv patterns each env name of a shell step must match (empty: any)
 * @param workdirRoot where a shell step's workdir must stay (null: anywhere, or the work directory
 *     when commands are limited)
 */
public record AgentConfig(
    String bootstrap,
    Topics topics,
    String id,
    List<String> pools,
    int maxConcurrent,
    Path workdir,
    Duration heartbeat,
    Duration killGrace,
    Duration drainTimeout,
    Set<String> allowedKinds,
    Map<String, String> clientProperties,
    List<Pattern> allowedCommands,
    AgentKeys keys,
    boolean allowLinkLocal,
    List<Pattern> allowedEnv,
    Path workdirRoot) {
  public AgentConfig {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(id, "id");
    pools = List.copyOf(pools);
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("an agent needs at least one pool");
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("max-concurrent must be >= 1, got " + maxConcurrent);
    }
    allowedKinds = Set.copyOf(allowedKinds);
    clientProperties = Map.copyOf(clientProperties);
    allowedCommands = List.copyOf(allowedCommands);
    allowedEnv = List.copyOf(allowedEnv);
    Objects.requireNonNull(keys, "keys (AgentKeys.none() for none)");
  }

  public static AgentConfig defaults(
      String bootstrap, String id, List<String> pools, Path workdir) {
    return new AgentConfig(
        bootstrap,
        Topics.DEFAULT,
        id,
        pools,
        8,
        workdir,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Set.of(),
        Map.of(),
        List.of(),
        AgentKeys.none(),
        false,
        List.of(),
        null);
  }

  public AgentConfig withTopics(Topics t) {
    return RecordCopy.of(this).with("topics", t).build();
  }

  public AgentConfig withMaxConcurrent(int n) {
    return RecordCopy.of(this).with("maxConcurrent", n).build();
  }

  public AgentConfig withClientProperties(Map<String, String> p) {
    return RecordCopy.of(this).with("clientProperties", p).build();
  }

  public AgentConfig withTimings(Duration hb, Duration grace, Duration drain) {
    return RecordCopy.of(this)
        .with("heartbeat", hb)
        .with("killGrace", grace)
        .with("drainTimeout", drain)
        .build();
  }

  public AgentConfig withSecurity(List<Pattern> commands, AgentKeys k) {
    return RecordCopy.of(this).with("allowedCommands", commands).with("keys", k).build();
  }

  /** Which env names a shell step may set, and where its workdir must stay. */
  public AgentConfig withStepLimits(List<Pattern> env, Path root) {
    return RecordCopy.of(this).with("allowedEnv", env).with("workdirRoot", root).build();
  }

  /** Whether http steps may call link-local addresses (cloud metadata services). */
  public AgentConfig withLinkLocal(boolean allowed) {
    return RecordCopy.of(this).with("allowLinkLocal", allowed).build();
  }

  public AgentConfig withAllowedKinds(Set<String> kinds) {
    return RecordCopy.of(this).with("allowedKinds", kinds).build();
  }
}
