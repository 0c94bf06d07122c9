package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wf.cli.Main;
import dev.wf.protocol.definition.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The deploy kit (deploy/: systemd units and env files, docker-compose.yml, Kubernetes manifests,
 * Dockerfile, README) checked against the CLI it configures. What the CLI offers is read from the
 * CLI itself (the picocli model of {@code wf} and the {@code System.getenv} calls of its sources),
 * so renaming a subcommand, a flag or a WF_* variable without updating deploy/ fails here.
 *
 * <p>No unit is started and no container or pod is run by this test: the files are parsed and
 * cross-checked only.
 */
class DeployKitTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern WF_VAR = Pattern.compile("\\bWF_[A-Z0-9_]+\\b");
  private static final Pattern ENV_DEFAULT =
      Pattern.compile("\\$\\{env:(WF_[A-Z0-9_]+)(?::-([^}]*))?}");
  private static final Pattern GETENV = Pattern.compile("getenv\\(\\s*\"(WF_[A-Z0-9_]+)\"\\s*\\)");
  private static final Pattern ENV_LINE = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$");
  private static final Set<String> SHELL_SEPARATORS =
      Set.of("|", "||", "&&", ";", "&", ">", ">>", "2>", "2>&1", "<");

  private static final Path DEPLOY = deployDir();
  private static final Cli CLI =
      Cli.load(DEPLOY.getParent().resolve("cli/src/main/java/dev/wf/cli"));

  // ---- what the CLI offers ------------------------------------------------------------------

  /** The subcommands of {@code wf}, their flags, and the WF_* variables each one reads. */
  record Cli(
      Set<String> topFlags,
      Map<String, Set<String>> flags,
      Map<String, Set<String>> env,
      Map<String, OptionSpec> optionOfVar,
      Map<String, String> defaults,
      Set<String> allEnv) {

    static Cli load(Path sources) {
      assertThat(sources).as("the CLI's sources, for its System.getenv calls").isDirectory();
      CommandLine named = new CommandLine(new Main());
      // Not interpolated: the default values keep their ${env:WF_...} text.
      CommandLine raw = new CommandLine(new Main());
      raw.setInterpolateVariables(false);
      Set<String> top = names(named.getCommandSpec().options());
      Map<String, Set<String>> flags = new TreeMap<>();
      named
          .getSubcommands()
          .forEach((name, sub) -> flags.put(name, names(sub.getCommandSpec().options())));
      Map<String, Set<String>> env = new TreeMap<>();
      Map<String, OptionSpec> optionOfVar = new TreeMap<>();
      Map<String, String> defaults = new TreeMap<>();
      raw.getSubcommands()
          .forEach(
              (name, sub) -> {
                Set<String> vars = new TreeSet<>();
                for (OptionSpec o : sub.getCommandSpec().options()) {
                  String d = o.defaultValue();
                  Matcher m = ENV_DEFAULT.matcher(d == null ? "" : d);
                  while (m.find()) {
                    vars.add(m.group(1));
                    optionOfVar.putIfAbsent(m.group(1), o);
                    if (m.group(2) != null) {
                      defaults.putIfAbsent(m.group(1), m.group(2));
                    }
                  }
                }
                // Variables a command reads itself (WF_POOLS, WF_ALLOW_KINDS of the agent).
                Path source =
                    sources.resolve(
                        sub.getCommandSpec().userObject().getClass().getSimpleName() + ".java");
                if (Files.isRegularFile(source)) {
                  vars.addAll(getenvs(read(source)));
                }
                env.put(name, vars);
              });
      Set<String> all = new TreeSet<>();
      env.values().forEach(all::addAll);
      try (Stream<Path> files = Files.list(sources)) {
        files
            .filter(f -> f.toString().endsWith(".java"))
            .forEach(f -> all.addAll(getenvs(read(f))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Cli(top, flags, env, optionOfVar, defaults, all);
    }

    private static Set<String> names(List<OptionSpec> options) {
      return options.stream()
          .flatMap(o -> Stream.of(o.names()))
          .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> getenvs(String source) {
      Set<String> out = new TreeSet<>();
      Matcher m = GETENV.matcher(source);
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    }

    Set<String> envOf(String command) {
      return env.getOrDefault(command, Set.of());
    }

    /** The value of a variable as the command would see it: set, else the CLI's default. */
    String valueOr(Map<String, String> set, String var) {
      return set.containsKey(var) ? set.get(var) : defaults.get(var);
    }
  }

  @Test
  void everyVariableTheCliReadsIsKeptAwayFromTheTests() throws Exception {
    String pom = Files.readString(DEPLOY.getParent().resolve("pom.xml"));
    Matcher m =
        Pattern.compile("<excludedEnvironmentVariables>([^<]*)</excludedEnvironmentVariables>")
            .matcher(pom);
    assertThat(m.find()).as("surefire's excludedEnvironmentVariables in the parent pom").isTrue();
    Set<String> excluded = new TreeSet<>(List.of(m.group(1).trim().split("\\s*,\\s*")));
    assertThat(excluded)
        .as("a WF_* variable exported for real use must not reach the tests")
        .containsAll(CLI.allEnv());
  }

  @Test
  void theCliModelIsWhatThisTestExpects() {
    // If these fail, the test reads the CLI wrongly, not the deploy files.
    assertThat(CLI.flags())
        .containsKeys(
            "coordinator", "agent", "broker", "submit", "watch", "status", "agents", "cancel");
    assertThat(CLI.envOf("agent"))
        .contains(
            "WF_AGENT_ID",
            "WF_POOLS",
            "WF_ALLOW_KINDS",
            "WF_BOOTSTRAP",
            "WF_KAFKA_CONFIG",
            "WF_DRAIN_TIMEOUT");
    assertThat(CLI.envOf("coordinator"))
        .contains("WF_STATE_DIR", "WF_HTTP_PORT", "WF_HTTP_HOST", "WF_HTTP_TOKEN", "WF_BOOTSTRAP");
    assertThat(CLI.envOf("broker")).contains("WF_DATA_DIR", "WF_BROKER_PORT", "WF_BROKER_HOST");
    assertThat(CLI.flags().get("agent"))
        .contains("--pool", "--id", "--drain-timeout", "--bootstrap", "--kafka-config");
    assertThat(CLI.defaults()).containsEntry("WF_DRAIN_TIMEOUT", "30s").containsKey("WF_HTTP_PORT");
  }

  @Test
  void theCheckersCatchRenamedCommandsFlagsAndVariables() {
    List<String> problems = new ArrayList<>();
    checkCommandLines("sample", List.of("java -jar /opt/wf/wf.jar coordinatr"), problems);
    checkCommandLines("sample", List.of("java -jar wf.jar agent --pools build"), problems);
    checkCommandLines("sample", List.of("wf submit --wiat x.yaml"), problems);
    checkVariables("sample", "WF_POOL=build", problems);
    checkAssignments("sample", "agent", Map.of("WF_STATE_DIR", "/x"), problems);
    checkAssignments("sample", "coordinator", Map.of("WF_HTTP_PORT", "http"), problems);
    assertThat(problems).hasSize(6);

    List<String> fine = new ArrayList<>();
    checkCommandLines(
        "sample",
        List.of("java -jar /opt/wf/wf.jar agent --pool build --id a1 --drain-timeout=30s"),
        fine);
    checkCommandLines(
        "sample", List.of("cp cli/target/wf.jar /opt/wf/wf.jar && wf agents --json | head"), fine);
    checkAssignments(
        "sample", "agent", Map.of("WF_POOLS", "build,deploy", "WF_DRAIN_TIMEOUT", "30s"), fine);
    assertThat(fine).isEmpty();
  }

  // ---- every file ---------------------------------------------------------------------------

  @Test
  void everyWfVariableNamedAnywhereInDeployIsOneTheCliReads() {
    List<String> problems = new ArrayList<>();
    for (Path f : deployFiles()) {
      checkVariables(rel(f), read(f), problems);
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyCommandLineUsesExistingSubcommandsAndFlags() {
    List<String> problems = new ArrayList<>();
    int found = 0;
    for (Path f : deployFiles()) {
      List<String> lines =
          f.getFileName().toString().endsWith(".md")
              ? markdownCode(read(f))
              : logicalLines(read(f));
      found += checkCommandLines(rel(f), lines, problems);
    }
    assertThat(problems).isEmpty();
    assertThat(found).as("command lines found in deploy/").isGreaterThan(10);
  }

  @Test
  void everyYamlFileParses() {
    List<Path> yamls = deployFiles().stream().filter(DeployKitTest::isYaml).toList();
    assertThat(yamls)
        .extracting(DeployKitTest::rel)
        .contains("docker-compose.yml", "kubernetes/kustomization.yaml");
    for (Path f : yamls) {
      assertThat(yamlDocs(f))
          .as(rel(f))
          .isNotEmpty()
          .allSatisfy(d -> assertThat(d.isObject()).isTrue());
    }
  }

  // ---- systemd ------------------------------------------------------------------------------

  @Test
  void systemdUnitsRunTheJarAsWfWithTheirOwnEnvFiles() {
    Path dir = DEPLOY.resolve("systemd");
    Map<String, String> expected =
        Map.of(
            "wf-broker.service",
            "broker",
            "wf-coordinator.service",
            "coordinator",
            "wf-agent@.service",
            "agent");
    List<String> problems = new ArrayList<>();
    for (var e : expected.entrySet()) {
      Path unit = dir.resolve(e.getKey());
      assertThat(unit).exists();
      Map<String, List<String>> u = unit(read(unit));
      String command = e.getValue();
      String name = e.getKey();
      assertThat(one(u, "ExecStart"))
          .as(name)
          .isEqualTo("/usr/bin/java -jar /opt/wf/wf.jar " + command);
      assertThat(one(u, "User")).as(name).isEqualTo("wf");
      assertThat(one(u, "Group")).as(name).isEqualTo("wf");
      assertThat(one(u, "Restart")).as(name).isEqualTo("on-failure");
      assertThat(one(u, "KillSignal")).as(name).isEqualTo("SIGTERM");
      assertThat(u.getOrDefault("SuccessExitStatus", List.of()))
          .as(name + ": the JVM exits 143 after SIGTERM")
          .anyMatch(s -> s.contains("143"));
      assertThat(u).as(name).containsKeys("StateDirectory", "TimeoutStopSec", "WantedBy");

      // The env file(s) it reads: /etc/wf/<x>.env, shipped as env/<x>.env (%i: each example).
      String envFile = one(u, "EnvironmentFile").replaceFirst("^-", "");
      assertThat(envFile).as(name).startsWith("/etc/wf/").endsWith(".env");
      String base = envFile.substring("/etc/wf/".length());
      Pattern shipped =
          Pattern.compile(Pattern.quote(base).replace("%i", "\\E([A-Za-z0-9_.-]+)\\Q"));
      List<Path> envs =
          list(dir.resolve("env")).stream()
              .filter(p -> shipped.matcher(p.getFileName().toString()).matches())
              .toList();
      assertThat(envs).as(name + " reads " + envFile + ": an example must be in env/").isNotEmpty();
      for (Path env : envs) {
        Matcher m = shipped.matcher(env.getFileName().toString());
        assertThat(m.matches()).isTrue();
        String instance = m.groupCount() > 0 ? m.group(1) : "";
        Map<String, String> vars = envFile(read(env));
        checkAssignments(rel(env), command, vars, problems);
        if (!command.equals("broker")) {
          assertThat(vars).as(rel(env)).containsKey("WF_BOOTSTRAP");
        }
        // The folder the command writes to is the one systemd creates for it.
        String stateVar =
            Map.of("broker", "WF_DATA_DIR", "coordinator", "WF_STATE_DIR", "agent", "WF_WORKDIR")
                .get(command);
        String stateDir = "/var/lib/" + one(u, "StateDirectory").replace("%i", instance);
        assertThat(vars.get(stateVar))
            .as(rel(env) + " " + stateVar + " vs StateDirectory")
            .isEqualTo(stateDir);
        if (u.containsKey("WorkingDirectory")) {
          assertThat(one(u, "WorkingDirectory").replace("%i", instance).replace("%S", "/var/lib"))
              .as(name)
              .isEqualTo(stateDir);
        }
        if (command.equals("agent")) {
          Duration stop = systemdSeconds(one(u, "TimeoutStopSec"));
          Duration needed =
              duration(CLI.valueOr(vars, "WF_DRAIN_TIMEOUT"))
                  .plus(duration(CLI.valueOr(vars, "WF_KILL_GRACE")));
          assertThat(stop)
              .as(name + " TimeoutStopSec vs drain + kill grace of " + rel(env))
              .isGreaterThan(needed.plusSeconds(10));
        }
      }
    }
    Map<String, List<String>> agent = unit(read(dir.resolve("wf-agent@.service")));
    assertThat(one(agent, "KillMode"))
        .as("SIGTERM to the JVM only: it kills its actions' process groups")
        .isEqualTo("mixed");
    assertThat(one(agent, "EnvironmentFile")).contains("%i");
    assertThat(problems).isEmpty();
    // Every shipped env file belongs to some unit (no orphan with a misspelled name).
    assertThat(list(dir.resolve("env")))
        .extracting(p -> p.getFileName().toString())
        .allMatch(
            n ->
                n.equals("broker.env")
                    || n.equals("coordinator.env")
                    || n.matches("agent-[A-Za-z0-9_.-]+\\.env"));
  }

  // ---- docker compose -----------------------------------------------------------------------

  @Test
  void composeRunsKafkaAndTheJarConfiguredThroughWfVariables() {
    Path file = DEPLOY.resolve("docker-compose.yml");
    JsonNode services = yamlDocs(file).get(0).path("services");
    List<String> problems = new ArrayList<>();

    JsonNode kafka = services.path("kafka");
    assertThat(kafka.path("image").asText()).isEqualTo("apache/kafka:4.1.1");
    Map<String, String> k = envMap(kafka.path("environment"));
    assertThat(k)
        .containsKeys(
            "KAFKA_NODE_ID",
            "KAFKA_PROCESS_ROLES",
            "KAFKA_LISTENERS",
            "KAFKA_ADVERTISED_LISTENERS",
            "KAFKA_CONTROLLER_LISTENER_NAMES",
            "KAFKA_CONTROLLER_QUORUM_VOTERS",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP");
    assertThat(k.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
    assertThat(k.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).startsWith(k.get("KAFKA_NODE_ID") + "@");
    assertThat(k)
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
    Set<String> advertised = new TreeSet<>();
    for (String l : k.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
      advertised.add(l.substring(l.indexOf("://") + 3));
    }

    Map<String, Set<String>> poolsByCommand = new TreeMap<>();
    int wfServices = 0;
    for (Map.Entry<String, JsonNode> s : services.properties()) {
      String where = "docker-compose.yml services." + s.getKey();
      JsonNode svc = s.getValue();
      Map<String, String> env = envMap(svc.path("environment"));
      Optional<String> command =
          wfCommand(tokens(svc.path("entrypoint")), tokens(svc.path("command")));
      if (command.isEmpty()) {
        assertThat(env.keySet())
            .as(where + " is no wf service but sets WF_* variables")
            .noneMatch(v -> v.startsWith("WF_"));
        continue;
      }
      wfServices++;
      checkCommandLines(
          where,
          List.of(
              String.join(
                  " ", concat(tokens(svc.path("entrypoint")), tokens(svc.path("command"))))),
          problems);
      checkAssignments(where, command.get(), env, problems);
      assertThat(svc.path("image").asText()).as(where).isEqualTo("eclipse-temurin:17-jre");
      List<String> volumes = texts(svc.path("volumes"));
      assertThat(volumes)
          .as(where + " mounts the built jar")
          .contains("../cli/target/wf.jar:" + jarPath(svc) + ":ro");
      assertThat(env.get("WF_BOOTSTRAP"))
          .as(where + " WF_BOOTSTRAP is an advertised listener of kafka")
          .isIn(advertised);
      assertThat(svc.path("depends_on").has("kafka")).as(where + " depends on kafka").isTrue();
      if (command.get().equals("agent")) {
        poolsByCommand
            .computeIfAbsent("agent", c -> new TreeSet<>())
            .addAll(List.of(env.getOrDefault("WF_POOLS", "default").split(",")));
        assertThat(env).as(where).containsKey("WF_AGENT_ID");
        assertMountedDir(where, volumes, CLI.valueOr(env, "WF_WORKDIR"));
        Duration needed =
            duration(CLI.valueOr(env, "WF_DRAIN_TIMEOUT"))
                .plus(duration(CLI.valueOr(env, "WF_KILL_GRACE")));
        assertThat(duration(svc.path("stop_grace_period").asText("10s")))
            .as(where + " stop_grace_period vs drain + kill grace")
            .isGreaterThan(needed.plusSeconds(10));
      }
      if (command.get().equals("coordinator")) {
        assertMountedDir(where, volumes, CLI.valueOr(env, "WF_STATE_DIR"));
        String port = CLI.valueOr(env, "WF_HTTP_PORT");
        assertThat(texts(svc.path("ports")))
            .as(where + " publishes WF_HTTP_PORT")
            .anyMatch(p -> p.endsWith(":" + port));
      }
    }
    assertThat(wfServices).isEqualTo(3);
    assertThat(poolsByCommand.get("agent")).contains("build", "deploy", "default");
    assertThat(problems).isEmpty();
  }

  // ---- Kubernetes ---------------------------------------------------------------------------

  @Test
  void kubernetesManifestsAreConsistentWithTheCli() {
    Path dir = DEPLOY.resolve("kubernetes");
    JsonNode kustomization = yamlDocs(dir.resolve("kustomization.yaml")).get(0);
    List<String> resources = texts(kustomization.path("resources"));
    assertThat(resources)
        .contains(
            "namespace.yaml",
            "configmap.yaml",
            "coordinator-statefulset.yaml",
            "agent-deployment.yaml");
    List<String> manifests =
        list(dir).stream()
            .map(p -> p.getFileName().toString())
            .filter(n -> isYaml(Path.of(n)) && !n.equals("kustomization.yaml"))
            .toList();
    assertThat(resources)
        .as("every manifest is in the kustomization")
        .containsExactlyInAnyOrderElementsOf(manifests);

    List<JsonNode> docs = new ArrayList<>();
    Map<JsonNode, String> fileOf = new java.util.IdentityHashMap<>();
    for (String r : resources) {
      for (JsonNode d : yamlDocs(dir.resolve(r))) {
        docs.add(d);
        fileOf.put(d, "kubernetes/" + r);
      }
    }
    docs.forEach(
        d ->
            assertThat(d.has("apiVersion") && d.has("kind") && d.path("metadata").has("name"))
                .as(d.toString())
                .isTrue());
    Map<String, Map<String, String>> configMaps = new TreeMap<>();
    docs.stream()
        .filter(d -> d.path("kind").asText().equals("ConfigMap"))
        .forEach(d -> configMaps.put(d.at("/metadata/name").asText(), envMap(d.path("data"))));
    assertThat(configMaps).isNotEmpty();

    List<String> problems = new ArrayList<>();
    Map<String, Set<String>> commandsOfConfigMap = new TreeMap<>();
    Map<String, JsonNode> workloads = new TreeMap<>();
    for (JsonNode d : docs) {
      JsonNode pod = d.at("/spec/template/spec");
      if (!pod.has("containers")) {
        continue;
      }
      for (JsonNode c : pod.path("containers")) {
        String where =
            fileOf.get(d)
                + " "
                + d.path("kind").asText()
                + "/"
                + d.at("/metadata/name").asText()
                + " container "
                + c.path("name").asText();
        Optional<String> command = wfCommand(tokens(c.path("command")), tokens(c.path("args")));
        assertThat(command).as(where + " runs java -jar .../wf.jar <command>").isPresent();
        workloads.put(command.get(), d);
        checkCommandLines(
            where,
            List.of(String.join(" ", concat(tokens(c.path("command")), tokens(c.path("args"))))),
            problems);
        assertThat(jarPath(c))
            .as(where + ": the jar the Dockerfile copies")
            .isEqualTo(dockerfileJar());
        Map<String, String> own = new LinkedHashMap<>();
        c.path("env")
            .forEach(
                e ->
                    own.put(
                        e.path("name").asText(),
                        e.has("value") ? e.path("value").asText() : "valueFrom"));
        checkAssignments(where, command.get(), own, problems);
        for (JsonNode from : c.path("envFrom")) {
          String cm = from.at("/configMapRef/name").asText();
          assertThat(configMaps).as(where + " envFrom").containsKey(cm);
          commandsOfConfigMap.computeIfAbsent(cm, x -> new TreeSet<>()).add(command.get());
        }
        Map<String, String> env = new LinkedHashMap<>();
        c.path("envFrom")
            .forEach(
                from ->
                    env.putAll(
                        configMaps.getOrDefault(from.at("/configMapRef/name").asText(), Map.of())));
        env.putAll(own);
        c.path("env")
            .forEach(
                e ->
                    env.put(
                        e.path("name").asText(),
                        e.has("value") ? e.path("value").asText() : fieldRef(e)));
        checkPod(where, command.get(), d, pod, c, env);
      }
    }
    // A ConfigMap shared by several commands may hold any variable one of them reads.
    commandsOfConfigMap.forEach(
        (cm, commands) -> {
          Set<String> readable =
              commands.stream().flatMap(x -> CLI.envOf(x).stream()).collect(Collectors.toSet());
          configMaps
              .get(cm)
              .forEach(
                  (var, value) -> {
                    if (!readable.contains(var)) {
                      problems.add(
                          "ConfigMap " + cm + ": " + var + " is read by none of " + commands);
                    }
                    checkValue("ConfigMap " + cm, var, value, problems);
                  });
        });
    assertThat(workloads).containsKeys("coordinator", "agent");
    assertThat(workloads.get("coordinator").path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(workloads.get("agent").path("kind").asText()).isEqualTo("Deployment");
    // The headless Service of the StatefulSet.
    JsonNode sts = workloads.get("coordinator");
    String serviceName = sts.at("/spec/serviceName").asText();
    JsonNode service =
        docs.stream()
            .filter(
                d ->
                    d.path("kind").asText().equals("Service")
                        && d.at("/metadata/name").asText().equals(serviceName))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Service " + serviceName));
    assertThat(service.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(selects(service.at("/spec/selector"), sts.at("/spec/template/metadata/labels")))
        .as("the Service selects the coordinator pods")
        .isTrue();
    assertThat(docs)
        .filteredOn(d -> d.path("kind").asText().equals("Namespace"))
        .extracting(d -> d.at("/metadata/name").asText())
        .containsExactly(kustomization.path("namespace").asText());
    assertThat(problems).isEmpty();
  }

  private static void checkPod(
      String where,
      String command,
      JsonNode workload,
      JsonNode pod,
      JsonNode c,
      Map<String, String> env) {
    assertThat(workload.at("/spec/selector/matchLabels").isObject()).isTrue();
    assertThat(
            selects(
                workload.at("/spec/selector/matchLabels"),
                workload.at("/spec/template/metadata/labels")))
        .as(where + " selector matches its pods")
        .isTrue();
    Map<String, Integer> ports = new TreeMap<>();
    c.path("ports")
        .forEach(
            p ->
                ports.put(
                    p.path("name").asText(String.valueOf(p.path("containerPort").asInt())),
                    p.path("containerPort").asInt()));
    List<String> mounts = new ArrayList<>();
    c.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
    if (command.equals("coordinator")) {
      int httpPort = Integer.parseInt(CLI.valueOr(env, "WF_HTTP_PORT"));
      JsonNode probe = c.at("/readinessProbe/httpGet");
      assertThat(probe.path("path").asText()).as(where + " readiness probe").isEqualTo("/health");
      JsonNode port = probe.path("port");
      int probed = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
      assertThat(probed).as(where + " readiness probe port vs WF_HTTP_PORT").isEqualTo(httpPort);
      assertThat(ports.values()).as(where + " containerPort").contains(httpPort);
      assertThat(env)
          .as(where)
          .doesNotContainKey("WF_HTTP_TOKEN"); // /health would answer 401 to the probe
      // WF_HTTP_HOST from the pod's name (downward API), possibly through $(VAR) expansion.
      String host = env.get("WF_HTTP_HOST");
      assertThat(host).as(where + " WF_HTTP_HOST").isNotNull();
      Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(host);
      Set<String> refs = new TreeSet<>();
      while (m.find()) {
        refs.add(env.get(m.group(1)));
      }
      assertThat(host.equals("fieldRef:metadata.name") || refs.contains("fieldRef:metadata.name"))
          .as(where + " WF_HTTP_HOST comes from metadata.name: " + host)
          .isTrue();
      if (host.contains(".")) {
        String sub = host.substring(host.indexOf('.') + 1).split("\\.")[0];
        assertThat(sub)
            .as(where + " WF_HTTP_HOST names the headless Service")
            .isEqualTo(workload.at("/spec/serviceName").asText());
      }
      // The state dir is a volume from the claim templates.
      String stateDir = CLI.valueOr(env, "WF_STATE_DIR");
      List<String> claims = new ArrayList<>();
      workload
          .at("/spec/volumeClaimTemplates")
          .forEach(t -> claims.add(t.at("/metadata/name").asText()));
      assertThat(claims).as(where + " volumeClaimTemplates").isNotEmpty();
      boolean stateOnClaim = false;
      for (JsonNode vm : c.path("volumeMounts")) {
        stateOnClaim |=
            vm.path("mountPath").asText().equals(stateDir)
                && claims.contains(vm.path("name").asText());
      }
      assertThat(stateOnClaim)
          .as(where + " WF_STATE_DIR " + stateDir + " is mounted from a volumeClaimTemplate")
          .isTrue();
    }
    if (command.equals("agent")) {
      assertThat(env.get("WF_AGENT_ID"))
          .as(where + " WF_AGENT_ID from the pod name")
          .isEqualTo("fieldRef:metadata.name");
      assertThat(List.of(CLI.valueOr(env, "WF_POOLS").split(",")))
          .as(where + " WF_POOLS")
          .contains("build");
      Duration needed =
          duration(CLI.valueOr(env, "WF_DRAIN_TIMEOUT"))
              .plus(duration(CLI.valueOr(env, "WF_KILL_GRACE")));
      assertThat(Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong(30)))
          .as(where + " terminationGracePeriodSeconds vs drain + kill grace")
          .isGreaterThan(needed.plusSeconds(10));
      assertThat(mounts)
          .as(where + " WF_WORKDIR is a mounted volume")
          .contains(CLI.valueOr(env, "WF_WORKDIR"));
    }
  }

  @Test
  void dockerfileCopiesTheJarAndTheReadmeShowsIt() {
    List<String> lines =
        read(DEPLOY.resolve("Dockerfile"))
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("FROM eclipse-temurin:17");
    assertThat(lines.get(1)).isEqualTo("COPY cli/target/wf.jar " + dockerfileJar());
    String readme = read(DEPLOY.resolve("README.md"));
    assertThat(readme)
        .as("the README shows the Dockerfile")
        .contains(lines.get(0), lines.get(1), lines.get(2));
    assertThat(readme).contains("## Security", "standby", "partitions");
  }

  // ---- the checkers -------------------------------------------------------------------------

  /** Every WF_* token in {@code text} is a variable the CLI reads. */
  static void checkVariables(String where, String text, List<String> problems) {
    Matcher m = WF_VAR.matcher(text);
    while (m.find()) {
      if (!CLI.allEnv().contains(m.group())) {
        problems.add(
            where + ": " + m.group() + " is read by no wf command (known: " + CLI.allEnv() + ")");
      }
    }
  }

  /** Variables set for one command: each is one that command reads, with a value of its type. */
  static void checkAssignments(
      String where, String command, Map<String, String> vars, List<String> problems) {
    vars.forEach(
        (var, value) -> {
          if (!var.startsWith("WF_")) {
            return;
          }
          if (!CLI.envOf(command).contains(var)) {
            problems.add(
                where
                    + ": wf "
                    + command
                    + " does not read "
                    + var
                    + " (it reads "
                    + CLI.envOf(command)
                    + ")");
          }
          checkValue(where, var, value, problems);
        });
  }

  static void checkValue(String where, String var, String value, List<String> problems) {
    OptionSpec o = CLI.optionOfVar().get(var);
    if (o == null || value == null || value.equals("valueFrom") || value.startsWith("fieldRef:")) {
      return;
    }
    Class<?> type = o.type();
    boolean ok = true;
    if (type == int.class
        || type == long.class
        || type == short.class
        || type == Integer.class
        || type == Long.class) {
      ok = value.matches("\\d+");
    } else if ("DURATION".equals(o.paramLabel())) {
      ok = Durations.parse(value).isPresent();
    }
    if (!ok) {
      problems.add(
          where
              + ": "
              + var
              + "="
              + value
              + " is no "
              + (type.isPrimitive() ? type.getName() : o.paramLabel())
              + " ("
              + String.join("/", o.names())
              + ")");
    }
  }

  /**
   * Finds {@code java -jar .../wf.jar CMD ...} and {@code wf CMD ...} (at a command position) in
   * each line: CMD must be a subcommand and each --flag after it one of its options. Returns how
   * many command lines it found.
   */
  static int checkCommandLines(String where, List<String> lines, List<String> problems) {
    int found = 0;
    for (String line : lines) {
      String[] t = line.trim().split("\\s+");
      for (int i = 0; i + 1 < t.length; i++) {
        String tok = clean(t[i]);
        String prev = i == 0 ? "" : t[i - 1];
        boolean jar = tok.endsWith("wf.jar") && clean(prev).equals("-jar");
        boolean bare =
            tok.equals("wf")
                && (i == 0
                    || SHELL_SEPARATORS.contains(prev)
                    || prev.equals("$")
                    || prev.endsWith(";")
                    || t[i].startsWith("$(")
                    || t[i].startsWith("`"));
        if (!jar && !bare) {
          continue;
        }
        if (terminates(t[i])) {
          continue; // `java -jar wf.jar` with nothing after it in the same span
        }
        found++;
        String cmd = clean(t[i + 1]);
        Set<String> known;
        if (cmd.startsWith("-")) {
          known = CLI.topFlags();
          if (!known.contains(cmd.split("=")[0])) {
            problems.add(where + ": wf has no option " + cmd + " (in: " + line.trim() + ")");
          }
          continue;
        }
        known = CLI.flags().get(cmd);
        if (known == null) {
          problems.add(
              where
                  + ": wf has no subcommand "
                  + cmd
                  + " (in: "
                  + line.trim()
                  + "; it has "
                  + CLI.flags().keySet()
                  + ")");
          continue;
        }
        if (terminates(t[i + 1])) {
          continue;
        }
        for (int j = i + 2; j < t.length; j++) {
          String raw = t[j];
          if (SHELL_SEPARATORS.contains(raw) || raw.startsWith("#") || raw.startsWith("|")) {
            break;
          }
          String flag = clean(raw);
          if (flag.startsWith("--")) {
            String name = flag.split("=")[0];
            if (!known.contains(name)) {
              problems.add(
                  where + ": wf " + cmd + " has no option " + name + " (in: " + line.trim() + ")");
            }
          }
          if (terminates(raw)) {
            break;
          }
        }
      }
    }
    return found;
  }

  private static boolean terminates(String raw) {
    return raw.endsWith(";")
        || raw.endsWith("`")
        || raw.endsWith("`,")
        || raw.endsWith("`.")
        || raw.endsWith(")")
        || raw.endsWith("]")
        || raw.endsWith("&&");
  }

  private static String clean(String raw) {
    return raw.replaceAll("^[\"'`(\\[$]+", "").replaceAll("[\"'`,;:.)\\]]+$", "");
  }

  // ---- reading the files --------------------------------------------------------------------

  private static Path deployDir() {
    for (String candidate : List.of("../deploy", "deploy")) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p.resolve("systemd")) && Files.isDirectory(p.resolve("kubernetes"))) {
        return p;
      }
    }
    throw new AssertionError(
        "no deploy/ next to the cli module (../deploy) or in the working folder (deploy)");
  }

  private static List<Path> deployFiles() {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("pom.xml"))
          .filter(f -> !DEPLOY.relativize(f).startsWith("target"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String rel(Path f) {
    return DEPLOY.relativize(f).toString();
  }

  private static boolean isYaml(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  /** Lines with backslash continuations joined. */
  static List<String> logicalLines(String text) {
    return List.of(text.replace("\\\r\n", " ").replace("\\\n", " ").split("\\R"));
  }

  /** The code of a Markdown text: the lines of fenced blocks, and each inline code span. */
  static List<String> markdownCode(String text) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    StringBuilder block = new StringBuilder();
    for (String line : text.split("\\R")) {
      if (line.strip().startsWith("```")) {
        if (fenced) {
          out.addAll(logicalLines(block.toString()));
          block.setLength(0);
        }
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        block.append(line).append('\n');
      } else {
        Matcher m = Pattern.compile("`([^`]+)`").matcher(line);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  private static List<JsonNode> yamlDocs(Path f) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isMissingNode()) {
          docs.add(d);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(rel(f) + " is no valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  /** A systemd unit: each key with its values, sections ignored. */
  static Map<String, List<String>> unit(String text) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String line : logicalLines(text)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq > 0) {
        out.computeIfAbsent(l.substring(0, eq).strip(), k -> new ArrayList<>())
            .add(l.substring(eq + 1).strip());
      }
    }
    return out;
  }

  private static String one(Map<String, List<String>> unit, String key) {
    List<String> v = unit.getOrDefault(key, List.of());
    assertThat(v).as(key).hasSize(1);
    return v.get(0);
  }

  /** An environment file: KEY=VALUE lines, comments skipped, quotes removed. */
  static Map<String, String> envFile(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      Matcher m = ENV_LINE.matcher(line);
      if (m.matches()) {
        out.put(
            m.group(1),
            m.group(2).strip().replaceAll("^\"(.*)\"$", "$1").replaceAll("^'(.*)'$", "$1"));
      }
    }
    return out;
  }

  /** A compose environment (map or KEY=VALUE list) or a ConfigMap's data. */
  private static Map<String, String> envMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node.isObject()) {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    } else if (node.isArray()) {
      node.forEach(
          n -> {
            String s = n.asText();
            int eq = s.indexOf('=');
            out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
          });
    }
    return out;
  }

  private static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.forEach(n -> out.add(n.isValueNode() ? n.asText() : n.toString()));
    return out;
  }

  private static List<String> tokens(JsonNode node) {
    if (node.isTextual()) {
      return List.of(node.asText().trim().split("\\s+"));
    }
    return texts(node);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** The subcommand of {@code java -jar .../wf.jar CMD}, if the tokens run the jar. */
  private static Optional<String> wfCommand(List<String> entrypoint, List<String> command) {
    List<String> t = concat(entrypoint, command);
    for (int i = 1; i + 1 < t.size(); i++) {
      if (t.get(i).endsWith("wf.jar") && t.get(i - 1).equals("-jar")) {
        return Optional.of(t.get(i + 1));
      }
    }
    return Optional.empty();
  }

  private static String jarPath(JsonNode container) {
    List<String> t =
        concat(
            tokens(container.path("entrypoint")),
            concat(tokens(container.path("command")), tokens(container.path("args"))));
    return t.stream().filter(s -> s.endsWith("wf.jar")).findFirst().orElse("");
  }

  private static String dockerfileJar() {
    Matcher m =
        Pattern.compile("(?m)^COPY\\s+\\S+\\s+(\\S+)\\s*$")
            .matcher(read(DEPLOY.resolve("Dockerfile")));
    assertThat(m.find()).as("a COPY of the jar in the Dockerfile").isTrue();
    return m.group(1);
  }

  private static String fieldRef(JsonNode envEntry) {
    String path = envEntry.at("/valueFrom/fieldRef/fieldPath").asText("");
    return path.isEmpty() ? "valueFrom" : "fieldRef:" + path;
  }

  private static boolean selects(JsonNode selector, JsonNode labels) {
    if (!selector.isObject() || selector.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).asText("\u0000").equals(e.getValue().asText())) {
        return false;
      }
    }
    return true;
  }

  private static void assertMountedDir(String where, List<String> volumes, String dir) {
    assertThat(volumes)
        .as(where + ": " + dir + " is a volume")
        .anyMatch(v -> v.split(":").length >= 2 && v.split(":")[1].equals(dir));
  }

  private static Duration duration(String text) {
    assertThat(text).as("a duration").isNotNull();
    return Durations.parse(text).orElseThrow(() -> new AssertionError(text + " is no duration"));
  }

  /** systemd time spans: a bare number is seconds. */
  private static Duration systemdSeconds(String text) {
    return text.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text)) : duration(text);
  }
}
