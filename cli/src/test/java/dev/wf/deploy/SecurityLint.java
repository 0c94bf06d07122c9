package dev.wf.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wf.deploy.CommandLines.Invocation;
import dev.wf.deploy.KubernetesObjects.Container;
import dev.wf.deploy.KubernetesObjects.KubeObject;
import dev.wf.protocol.trust.Keys;
import dev.wf.protocol.trust.TrustFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a security reviewer asks of the deploy kit (SECURITY.md; issue 9): keys for every
 * coordinator and agent, never {@code --insecure}, non-root users, ports on localhost, mandatory
 * Secrets. Each check takes the parsed files (the kit's, or a deliberately broken copy in {@code
 * SecurityLintTest}) and returns what is wrong, naming the file and place.
 */
final class SecurityLint {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Gone with the trust model: the shared HMAC secret. */
  private static final List<String> GONE = List.of("WF_SIGNING_KEYS", "--signing-keys");

  /** Options that turn a fence off: no file of the kit may pass them. */
  private static final Set<String> UNSAFE = Set.of("--insecure", "--allow-link-local");

  private SecurityLint() {}

  // ---------------------------------------------------------------- every file

  /** No file mentions the shared secret; no command line passes --insecure. */
  static List<String> text(String where, String text, boolean markdown) {
    List<String> problems = new ArrayList<>();
    for (String gone : GONE) {
      if (text.contains(gone)) {
        problems.add(where + ": names " + gone + ", which no wf command reads any more");
      }
    }
    List<String> lines = markdown ? CommandLines.markdownCode(text) : CommandLines.logical(text);
    for (String line : lines) {
      for (Invocation call : CommandLines.invocations(line)) {
        for (String o : call.options()) {
          if (UNSAFE.contains(o)) {
            problems.add(where + ": passes " + o + " (in: " + call.line() + ")");
          }
        }
      }
    }
    if (!markdown) {
      // Outside prose, not even as an argument list item or a comment to uncomment.
      for (String o : UNSAFE) {
        if (text.contains(o)) {
          problems.add(where + ": contains " + o);
        }
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- compose

  /** docker-compose.yml's services. */
  static List<String> compose(JsonNode services) {
    List<String> problems = new ArrayList<>();
    Map<String, JsonNode> all = new LinkedHashMap<>();
    services.properties().forEach(e -> all.put(e.getKey(), e.getValue()));
    String keys = null;
    for (Map.Entry<String, JsonNode> e : all.entrySet()) {
      if (e.getValue().toString().contains("keygen")) {
        keys = e.getKey();
      }
    }
    if (keys == null) {
      problems.add("docker-compose.yml: no service runs wf keygen");
    }
    String coordinatorKeyVolume = null;
    for (Map.Entry<String, JsonNode> e : all.entrySet()) {
      if (jarCommand(e.getValue()).equals(Optional.of("coordinator"))) {
        String v = volumeAt(e.getValue(), parent(env(e.getValue()).get("WF_SIGNING_KEY")));
        coordinatorKeyVolume = v == null ? coordinatorKeyVolume : v;
      }
    }
    for (Map.Entry<String, JsonNode> e : all.entrySet()) {
      String where = "docker-compose.yml services." + e.getKey();
      JsonNode s = e.getValue();
      user(where, s, problems);
      for (JsonNode p : s.path("ports")) {
        boolean local =
            p.isObject()
                ? p.path("host_ip").asText().equals("127.0.0.1")
                : p.asText().startsWith("127.0.0.1:");
        if (!local) {
          problems.add(where + ": port " + p + " is published beyond 127.0.0.1");
        }
      }
      if (s.path("image").asText().startsWith("grafana/")) {
        grafana(where, s, problems);
      }
      Optional<String> command = jarCommand(s);
      if (command.isEmpty()) {
        continue;
      }
      Map<String, String> env = env(s);
      List<String> vars =
          command.get().equals("coordinator")
              ? List.of("WF_SIGNING_KEY", "WF_TRUST")
              : command.get().equals("agent")
                  ? List.of("WF_COORDINATOR_KEY", "WF_AGENT_KEY")
                  : List.of();
      for (String var : vars) {
        String file = env.get(var);
        if (file == null || file.isBlank()) {
          problems.add(where + ": wf " + command.get() + " without " + var);
          continue;
        }
        String mount = mountAt(s, parent(file));
        if (mount == null) {
          problems.add(where + ": " + var + "=" + file + " is on no volume");
        } else if (!mount.endsWith(":ro")) {
          problems.add(
              where + ": " + var + "=" + file + " is on a writable volume (" + mount + ")");
        }
      }
      if (!vars.isEmpty() && keys != null) {
        String condition = s.at("/depends_on/" + keys + "/condition").asText();
        if (!condition.equals("service_completed_successfully")) {
          problems.add(where + ": does not wait for " + keys + " to complete (depends_on)");
        }
      }
      if (command.get().equals("agent")) {
        if (coordinatorKeyVolume != null && sources(s).contains(coordinatorKeyVolume)) {
          problems.add(
              where + ": mounts " + coordinatorKeyVolume + ", the coordinator's private key");
        }
        if (keys != null) {
          agentKeyIsMade(where, s, all.get(keys), problems);
        }
      }
      if (!s.path("cap_drop").toString().contains("ALL")) {
        problems.add(where + ": keeps its capabilities (cap_drop: [ALL])");
      }
      if (!s.path("security_opt").toString().contains("no-new-privileges:true")) {
        problems.add(where + ": may gain privileges (security_opt: no-new-privileges:true)");
      }
    }
    return problems;
  }

  /**
   * A non-root user; the one exception is a one-shot that only chowns fresh volumes, without
   * network and with no capability but CHOWN.
   */
  private static void user(String where, JsonNode s, List<String> problems) {
    String user = s.path("user").asText("").strip();
    if (user.isEmpty()) {
      problems.add(where + ": no user: (the image's user, often root)");
      return;
    }
    String uid = user.split(":")[0];
    if (!uid.equals("0") && !uid.equals("root")) {
      return;
    }
    List<String> argv = YamlDocs.argv(s, "entrypoint", "command");
    List<String> added = YamlDocs.texts(s.path("cap_add"));
    boolean chownOnly =
        s.path("restart").asText().equals("no")
            && s.path("network_mode").asText().equals("none")
            && YamlDocs.texts(s.path("cap_drop")).contains("ALL")
            && added.stream().allMatch(c -> c.equals("CHOWN"))
            && s.path("ports").isMissingNode()
            && !argv.isEmpty()
            && argv.get(0).equals("chown");
    if (!chownOnly) {
      problems.add(where + ": runs as root (user: " + user + ")");
    }
  }

  private static void grafana(String where, JsonNode s, List<String> problems) {
    Map<String, String> env = env(s);
    String password = env.getOrDefault("GF_SECURITY_ADMIN_PASSWORD", "");
    if (!password.matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*:\\?[^}]+}")) {
      problems.add(
          where + ": GF_SECURITY_ADMIN_PASSWORD is not a mandatory ${VAR:?message} (admin/admin)");
    }
    if (env.getOrDefault("GF_AUTH_ANONYMOUS_ENABLED", "false").equalsIgnoreCase("true")) {
      problems.add(where + ": lets anonymous users in");
    }
  }

  /**
   * The keys service makes the agent's key where the agent reads it (the same volume) and lists it
   * in the trust file it writes, with the agent's pools and id.
   */
  private static void agentKeyIsMade(
      String where, JsonNode agent, JsonNode keys, List<String> problems) {
    Map<String, String> env = env(agent);
    String keyFile = env.get("WF_AGENT_KEY");
    if (keyFile == null) {
      return;
    }
    String volume = volumeAt(agent, parent(keyFile));
    String dirInKeys = null;
    for (String m : YamlDocs.texts(keys.path("volumes"))) {
      String[] p = m.split(":");
      if (p.length >= 2 && p[0].equals(volume)) {
        dirInKeys = p[1];
      }
    }
    String name = Path.of(keyFile).getFileName().toString().replaceFirst("\\.key$", "");
    String script = String.join("\n", YamlDocs.argv(keys, "entrypoint", "command"));
    boolean made = false;
    for (String line : script.split("\\R")) {
      List<String> tokens = List.of(line.strip().split("\\s+"));
      if (dirInKeys != null && tokens.contains(dirInKeys) && tokens.contains(name)) {
        made = true;
      }
    }
    if (!made) {
      problems.add(
          where
              + ": the keys service makes no key "
              + name
              + " in the agent's key volume "
              + volume);
    }
    String trust = trustYamlOf(script);
    problems.addAll(
        trustedAgent(
            where + " (trust file written by the keys service)",
            trust,
            name,
            env.get("WF_AGENT_ID"),
            env.getOrDefault("WF_POOLS", "default")));
  }

  /** The trust file a shell script writes with printf '%s\n' 'line' 'line'... */
  static String trustYamlOf(String script) {
    StringBuilder out = new StringBuilder();
    Matcher m = Pattern.compile("^\\s*'([^']*)'").matcher("");
    for (String line : script.split("\\R")) {
      if (m.reset(line).find()) {
        out.append(m.group(1)).append('\n');
      }
    }
    return out.toString();
  }

  private static Optional<String> jarCommand(JsonNode s) {
    return CommandLines.jarCommand(YamlDocs.argv(s, "entrypoint", "command"));
  }

  private static Map<String, String> env(JsonNode s) {
    return YamlDocs.envMap(s.path("environment"));
  }

  private static String parent(String file) {
    if (file == null) {
      return null;
    }
    Path p = Path.of(file).getParent();
    return p == null ? null : p.toString();
  }

  /** The volume entry mounted at {@code dir}, or null. */
  private static String mountAt(JsonNode s, String dir) {
    for (String v : YamlDocs.texts(s.path("volumes"))) {
      String[] p = v.split(":");
      if (p.length >= 2 && p[1].equals(dir)) {
        return v;
      }
    }
    return null;
  }

  /** The source of the volume mounted at {@code dir}, or null. */
  private static String volumeAt(JsonNode s, String dir) {
    String m = mountAt(s, dir);
    return m == null ? null : m.split(":")[0];
  }

  private static Set<String> sources(JsonNode s) {
    Set<String> out = new TreeSet<>();
    for (String v : YamlDocs.texts(s.path("volumes"))) {
      out.add(v.split(":")[0]);
    }
    return out;
  }

  // ---------------------------------------------------------------- trust files

  /**
   * The trust file parses (as the coordinator reads it, with the public keys it names made here)
   * and its agent entry {@code keyName} may use {@code pools} and speaks for {@code agentId}.
   */
  static List<String> trustedAgent(
      String where, String trustYaml, String keyName, String agentId, String pools) {
    List<String> problems = new ArrayList<>();
    TrustFile.Trust trust;
    try {
      trust = read(trustYaml);
    } catch (IllegalArgumentException e) {
      return List.of(where + ": the trust file does not parse: " + e.getMessage());
    }
    TrustFile.Party party = trust.agents().get(keyName);
    if (party == null) {
      return List.of(
          where
              + ": no agent "
              + keyName
              + " in the trust file (it has "
              + trust.agents().keySet()
              + ")");
    }
    for (String pool : pools.split(",")) {
      if (!party.mayUse(pool.strip())) {
        problems.add(where + ": the trust file does not let " + keyName + " use the pool " + pool);
      }
    }
    if (agentId != null && !agentId.startsWith("fieldRef:") && !party.speaksFor(agentId)) {
      problems.add(where + ": the key " + keyName + " may not speak for the agent id " + agentId);
    }
    return problems;
  }

  /** Reads a trust file as the coordinator does, in a folder holding the keys it names. */
  static TrustFile.Trust read(String trustYaml) {
    try {
      Path dir = Files.createTempDirectory("wf-trust");
      JsonNode root;
      try {
        root = YAML.readTree(trustYaml);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "no YAML: " + e.getMessage().lines().findFirst().orElse(""));
      }
      for (String group : List.of("submitters", "agents")) {
        for (Iterator<JsonNode> it = root.path(group).elements(); it.hasNext(); ) {
          String key = it.next().path("key").asText("");
          if (key.endsWith(".pub")) {
            Path pub = dir.resolve(key).normalize();
            String name = pub.getFileName().toString().replaceFirst("\\.pub$", "");
            if (!Files.exists(pub)) {
              Keys.write(Keys.generate(), pub.getParent(), name);
            }
          }
        }
      }
      Path file = dir.resolve("trust.yaml");
      Files.writeString(file, trustYaml);
      return TrustFile.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- Kubernetes

  static List<String> kubernetes(KubernetesObjects k8s) {
    List<String> problems = new ArrayList<>();
    for (KubeObject o : k8s.objects()) {
      String where = o.file() + " " + o.kind() + "/" + o.name();
      optional(where, o.doc(), "", problems);
      if (o.kind().equals("Service")) {
        String type = o.doc().at("/spec/type").asText("ClusterIP");
        if (!type.equals("ClusterIP")) {
          problems.add(where + ": type " + type + " exposes it outside the cluster");
        }
      }
      JsonNode pod = o.doc().at("/spec/template/spec");
      if (pod.isObject()) {
        if (pod.path("hostNetwork").asBoolean(false)) {
          problems.add(where + ": hostNetwork");
        }
        if (pod.path("automountServiceAccountToken").asBoolean(true)) {
          problems.add(where + ": mounts a service account token its steps could use");
        }
      }
    }
    Set<String> coordinatorSecrets = new TreeSet<>();
    for (Container c : k8s.containers()) {
      if (c.command().equals("coordinator")) {
        coordinatorSecrets.addAll(
            keysFromSecrets(c, List.of("WF_SIGNING_KEY", "WF_TRUST"), problems));
      }
    }
    for (Container c : k8s.containers()) {
      String where = c.where();
      JsonNode pod = c.pod().path("securityContext");
      JsonNode own = c.node().path("securityContext");
      JsonNode nonRoot =
          own.has("runAsNonRoot") ? own.get("runAsNonRoot") : pod.get("runAsNonRoot");
      if (nonRoot == null || !nonRoot.asBoolean(false)) {
        problems.add(where + ": runAsNonRoot is not true");
      }
      JsonNode uid = own.has("runAsUser") ? own.get("runAsUser") : pod.get("runAsUser");
      if (uid == null || uid.asLong(0) <= 0) {
        problems.add(where + ": runAsUser is not a non-root uid");
      }
      if (own.path("allowPrivilegeEscalation").asBoolean(true)) {
        problems.add(where + ": allowPrivilegeEscalation is not false");
      }
      if (!own.path("readOnlyRootFilesystem").asBoolean(false)) {
        problems.add(where + ": readOnlyRootFilesystem is not true");
      }
      if (!YamlDocs.texts(own.at("/capabilities/drop")).contains("ALL")) {
        problems.add(where + ": does not drop ALL capabilities");
      }
      if (own.path("privileged").asBoolean(false)) {
        problems.add(where + ": privileged");
      }
      for (JsonNode p : c.node().path("ports")) {
        if (p.has("hostPort")) {
          problems.add(where + ": hostPort " + p.path("hostPort").asText());
        }
      }
      if (c.command().equals("agent")) {
        Set<String> secrets =
            keysFromSecrets(c, List.of("WF_COORDINATOR_KEY", "WF_AGENT_KEY"), problems);
        secrets.retainAll(coordinatorSecrets);
        if (!secrets.isEmpty()) {
          problems.add(where + ": mounts " + secrets + ", the coordinator's private key's Secret");
        }
      }
    }
    return problems;
  }

  /** Any {@code optional: true} (a Secret or ConfigMap the pod would start without). */
  private static void optional(String where, JsonNode node, String path, List<String> problems) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("optional") && e.getValue().asBoolean(false)) {
                  problems.add(where + ": " + path + "/optional is true");
                }
                optional(where, e.getValue(), path + "/" + e.getKey(), problems);
              });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        optional(where, node.get(i), path + "/" + i, problems);
      }
    }
  }

  /**
   * Each variable is set to files in a folder mounted read-only from a Secret; returns the Secrets.
   */
  private static Set<String> keysFromSecrets(
      Container c, List<String> vars, List<String> problems) {
    Set<String> secrets = new TreeSet<>();
    for (String var : vars) {
      String value = c.env().get(var);
      if (value == null || value.isBlank() || value.equals("valueFrom")) {
        problems.add(c.where() + ": wf " + c.command() + " without " + var + " (a file)");
        continue;
      }
      for (String file : value.split(",")) {
        String dir = parent(file.strip());
        JsonNode mount = null;
        for (JsonNode m : c.node().path("volumeMounts")) {
          if (m.path("mountPath").asText().equals(dir)) {
            mount = m;
          }
        }
        if (mount == null) {
          problems.add(c.where() + ": " + var + "=" + file + " is on no volume");
          continue;
        }
        if (!mount.path("readOnly").asBoolean(false)) {
          problems.add(c.where() + ": " + var + "=" + file + " is on a writable mount");
        }
        String name = mount.path("name").asText();
        JsonNode volume = null;
        for (JsonNode v : c.pod().path("volumes")) {
          if (v.path("name").asText().equals(name)) {
            volume = v;
          }
        }
        String secret = volume == null ? "" : volume.at("/secret/secretName").asText("");
        if (secret.isEmpty()) {
          problems.add(c.where() + ": " + var + "=" + file + " is not from a Secret");
        } else {
          secrets.add(secret);
        }
      }
    }
    return secrets;
  }

  // ---------------------------------------------------------------- systemd

  /**
   * The units (by command: broker, coordinator, agent), their env files (by command; agents: one
   * per instance) and the shipped trust file.
   */
  static List<String> systemd(
      Map<String, UnitFile> units, Map<String, List<Map<String, String>>> envs, String trustYaml) {
    List<String> problems = new ArrayList<>();
    Map<String, String> users = new LinkedHashMap<>();
    units.forEach(
        (command, u) -> {
          String user = u.all("User").isEmpty() ? "" : u.all("User").get(0);
          if (user.isEmpty() || user.equals("root") || user.equals("0")) {
            problems.add(u.name() + ": runs as root (User=" + user + ")");
          }
          if (users.containsValue(user)) {
            problems.add(u.name() + ": shares its user " + user + " with another wf unit");
          }
          users.put(command, user);
          if (u.has("DynamicUser") || !u.all("NoNewPrivileges").contains("true")) {
            problems.add(u.name() + ": NoNewPrivileges=true missing");
          }
        });
    for (String command : List.of("broker", "coordinator")) {
      UnitFile u = units.get(command);
      if (u != null
          && !(u.all("IPAddressDeny").contains("any")
              && u.all("IPAddressAllow").contains("localhost"))) {
        problems.add(
            u.name() + ": not fenced to localhost (IPAddressDeny=any, IPAddressAllow=localhost)");
      }
    }
    for (Map<String, String> env : envs.getOrDefault("broker", List.of())) {
      String host = env.getOrDefault("WF_BROKER_HOST", "");
      if (!host.equals("localhost") && !host.equals("127.0.0.1")) {
        problems.add("broker env: WF_BROKER_HOST=" + host + " listens beyond localhost");
      }
    }
    String signingKey = null;
    for (Map<String, String> env : envs.getOrDefault("coordinator", List.of())) {
      for (String var : List.of("WF_SIGNING_KEY", "WF_TRUST")) {
        if (env.getOrDefault(var, "").isBlank()) {
          problems.add("coordinator env: no " + var);
        }
      }
      signingKey = env.get("WF_SIGNING_KEY");
    }
    UnitFile agentUnit = units.get("agent");
    for (Map<String, String> env : envs.getOrDefault("agent", List.of())) {
      String where = "agent env of " + env.getOrDefault("WF_AGENT_ID", "?");
      for (String var : List.of("WF_COORDINATOR_KEY", "WF_AGENT_KEY")) {
        if (env.getOrDefault(var, "").isBlank()) {
          problems.add(where + ": no " + var);
        }
      }
      String agentKey = env.get("WF_AGENT_KEY");
      if (agentKey == null) {
        continue;
      }
      if (agentKey.equals(signingKey)) {
        problems.add(where + ": WF_AGENT_KEY is the coordinator's private key");
      }
      String hidden = "-" + signingKey;
      if (signingKey != null
          && agentUnit != null
          && agentUnit.all("InaccessiblePaths").stream()
              .noneMatch(p -> List.of(p.split("\\s+")).contains(hidden))) {
        problems.add(agentUnit.name() + ": InaccessiblePaths does not hide " + signingKey);
      }
      String name = Path.of(agentKey).getFileName().toString().replaceFirst("\\.key$", "");
      problems.addAll(
          trustedAgent(
              where + " (systemd/trust.yaml)",
              trustYaml,
              name,
              env.get("WF_AGENT_ID"),
              env.getOrDefault("WF_POOLS", "default")));
    }
    return problems;
  }
}
