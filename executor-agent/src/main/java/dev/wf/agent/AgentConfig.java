package dev.wf.agent;

import dev.wf.protocol.Signatures;
import dev.wf.protocol.Topics;
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
 * @param signatures keys dispatches must be signed with (none: signatures are not checked)
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
    Signatures signatures) {
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
    Objects.requireNonNull(signatures, "signatures");
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
        Signatures.none());
  }

  public AgentConfig withTopics(Topics t) {
    return toBuilder().topics(t).build();
  }

  public AgentConfig withMaxConcurrent(int n) {
    return toBuilder().maxConcurrent(n).build();
  }

  public AgentConfig withClientProperties(Map<String, String> p) {
    return toBuilder().clientProperties(p).build();
  }

  public AgentConfig withTimings(Duration hb, Duration grace, Duration drain) {
    return toBuilder().heartbeat(hb).killGrace(grace).drainTimeout(drain).build();
  }

  public AgentConfig withSecurity(List<Pattern> commands, Signatures sigs) {
    return toBuilder().allowedCommands(commands).signatures(sigs).build();
  }

  public AgentConfig withAllowedKinds(Set<String> kinds) {
    return toBuilder().allowedKinds(kinds).build();
  }

  /** A copy to change field by field. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes some fields of a config; {@link #build} validates the result. */
  public static final class Builder {
    private String bootstrap;
    private Topics topics;
    private String id;
    private List<String> pools;
    private int maxConcurrent;
    private Path workdir;
    private Duration heartbeat;
    private Duration killGrace;
    private Duration drainTimeout;
    private Set<String> allowedKinds;
    private Map<String, String> clientProperties;
    private List<Pattern> allowedCommands;
    private Signatures signatures;

    private Builder(AgentConfig c) {
      bootstrap = c.bootstrap;
      topics = c.topics;
      id = c.id;
      pools = c.pools;
      maxConcurrent = c.maxConcurrent;
      workdir = c.workdir;
      heartbeat = c.heartbeat;
      killGrace = c.killGrace;
      drainTimeout = c.drainTimeout;
      allowedKinds = c.allowedKinds;
      clientProperties = c.clientProperties;
      allowedCommands = c.allowedCommands;
      signatures = c.signatures;
    }

    public Builder bootstrap(String v) {
      bootstrap = v;
      return this;
    }

    public Builder topics(Topics v) {
      topics = v;
      return this;
    }

    public Builder id(String v) {
      id = v;
      return this;
    }

    public Builder pools(List<String> v) {
      pools = v;
      return this;
    }

    public Builder maxConcurrent(int v) {
      maxConcurrent = v;
      return this;
    }

    public Builder workdir(Path v) {
      workdir = v;
      return this;
    }

    public Builder heartbeat(Duration v) {
      heartbeat = v;
      return this;
    }

    public Builder killGrace(Duration v) {
      killGrace = v;
      return this;
    }

    public Builder drainTimeout(Duration v) {
      drainTimeout = v;
      return this;
    }

    public Builder allowedKinds(Set<String> v) {
      allowedKinds = v;
      return this;
    }

    public Builder clientProperties(Map<String, String> v) {
      clientProperties = v;
      return this;
    }

    public Builder allowedCommands(List<Pattern> v) {
      allowedCommands = v;
      return this;
    }

    public Builder signatures(Signatures v) {
      signatures = v;
      return this;
    }

    public AgentConfig build() {
      return new AgentConfig(
          bootstrap,
          topics,
          id,
          pools,
          maxConcurrent,
          workdir,
          heartbeat,
          killGrace,
          drainTimeout,
          allowedKinds,
          clientProperties,
          allowedCommands,
          signatures);
    }
  }
}
