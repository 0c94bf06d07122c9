package dev.wf.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's list of who it trusts, and with which pools: submitters (who may start, cancel,
 * approve and rerun runs whose steps use only their pools) and agents (who may report on the steps
 * of their pools). Written in YAML:
 *
 * <pre>
 * submitters:
 *   release-bot: { key: keys/release-bot.pub, pools: [deploy, default] }
 *   ci:          { key: keys/ci.pub, pools: [build, test] }
 * agents:
 *   deploy-1:    { key: keys/deploy-1.pub, pools: [deploy] }
 * </pre>
 *
 * A key is a file (relative to the trust file) or the public key itself (PEM or base64); {@code
 * "*"} as a pool means every pool.
 */
public final class TrustFile {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TrustFile() {}

  /**
   * One trusted party: its public key, the pools it may act on, and (for an agent key) the agent
   * ids it speaks for: its own name unless {@code ids} lists others ({@code build-*}, or {@code *}
   * for a key shared by a whole fleet).
   */
  public record Party(String name, PublicKey key, Set<String> pools, Set<String> ids) {
    public Party(String name, PublicKey key, Set<String> pools) {
      this(name, key, pools, Set.of(name));
    }

    public Party {
      pools = Set.copyOf(pools);
      ids = Set.copyOf(ids);
    }

    public boolean mayUse(String pool) {
      return pools.contains("*") || pools.contains(pool);
    }

    /** True when this key may speak for the agent {@code id}. */
    public boolean speaksFor(String id) {
      return id != null
          && ids.stream()
              .anyMatch(
                  p ->
                      p.endsWith("*")
                          ? id.startsWith(p.substring(0, p.length() - 1))
                          : p.equals(id));
    }
  }

  /**
   * What the file says, with the verifiers of its keys made once (every intake record, report and
   * heartbeat is checked against them).
   */
  public static final class Trust {
    private final Map<String, Party> submitters;
    private final Map<String, Party> agents;
    private final Verifier submitterKeys;
    private final Verifier agentKeys;

    public Trust(Map<String, Party> submitters, Map<String, Party> agents) {
      this.submitters = Map.copyOf(submitters);
      this.agents = Map.copyOf(agents);
      this.submitterKeys = verifier(this.submitters);
      this.agentKeys = verifier(this.agents);
    }

    public Map<String, Party> submitters() {
      return submitters;
    }

    public Map<String, Party> agents() {
      return agents;
    }

    public Verifier submitterKeys() {
      return submitterKeys;
    }

    public Verifier agentKeys() {
      return agentKeys;
    }

    private static Verifier verifier(Map<String, Party> parties) {
      Map<String, PublicKey> keys = new LinkedHashMap<>();
      parties.forEach((n, p) -> keys.put(n, p.key()));
      return new Verifier(keys);
    }
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the file and the entry that is wrong
   */
  public static Trust read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read trust file " + file + ": " + firstLine(e));
    }
    return parse(root, file.toAbsolutePath().getParent(), file.toString());
  }

  static Trust parse(JsonNode root, Path dir, String where) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + ": expected a map with submitters and agents");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("submitters") && !f.equals("agents")) {
        throw new IllegalArgumentException(
            where + ": unknown field \"" + f + "\" (expected submitters, agents)");
      }
    }
    return new Trust(
        parties(root.get("submitters"), dir, where + ": submitters"),
        parties(root.get("agents"), dir, where + ": agents"));
  }

  private static Map<String, Party> parties(JsonNode node, Path dir, String where) {
    Map<String, Party> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": expected a map of name to {key, pools}");
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = e.getKey();
      String at = where + "." + name;
      try {
        Signed.checkName(name);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(at + ": " + bad.getMessage());
      }
      JsonNode p = e.getValue();
      if (p == null || !p.isObject()) {
        throw new IllegalArgumentException(at + ": expected {key, pools}");
      }
      for (Iterator<String> fs = p.fieldNames(); fs.hasNext(); ) {
        String f = fs.next();
        if (!List.of("key", "pools", "ids").contains(f)) {
          throw new IllegalArgumentException(
              at + ": unknown field \"" + f + "\" (expected key, pools, ids)");
        }
      }
      JsonNode key = p.get("key");
      if (key == null || !key.isTextual() || key.textValue().isBlank()) {
        throw new IllegalArgumentException(at + ".key: a public key file or the key itself");
      }
      JsonNode pools = p.get("pools");
      if (pools == null || !pools.isArray() || pools.isEmpty()) {
        throw new IllegalArgumentException(
            at + ".pools: a list of the pools it may use (\"*\" for all)");
      }
      Set<String> set = new LinkedHashSet<>();
      for (JsonNode pool : pools) {
        if (!pool.isTextual() || pool.textValue().isBlank()) {
          throw new IllegalArgumentException(at + ".pools: pool names are strings");
        }
        set.add(pool.textValue());
      }
      Set<String> ids = strings(p.get("ids"), at + ".ids", Set.of(name));
      out.put(name, new Party(name, key(key.textValue(), dir, at + ".key"), set, ids));
    }
    return out;
  }

  private static Set<String> strings(JsonNode node, String where, Set<String> otherwise) {
    if (node == null) {
      return otherwise;
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new IllegalArgumentException(where + ": a list of agent ids (\"build-*\", \"*\")");
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode n : node) {
      if (!n.isTextual() || n.textValue().isBlank()) {
        throw new IllegalArgumentException(where + ": agent ids are strings");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static PublicKey key(String text, Path dir, String where) {
    String t = text.strip();
    Path file = t.startsWith("-----") ? null : (dir == null ? Path.of(t) : dir.resolve(t));
    try {
      if (file != null && Files.isRegularFile(file)) {
        return Keys.readPublic(file);
      }
      return Keys.parsePublic(t, "the key");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where
              + ": "
              + (file != null && !t.startsWith("MC")
                  ? "no such key file " + file
                  : e.getMessage()));
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.lines().findFirst().orElse(m);
  }
}
