package dev.wf.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Kafka connection settings shared by the commands. */
final class Kafka {
  private Kafka() {}

  /** {@code --bootstrap}, else {@code WF_BOOTSTRAP}, else null (use the embedded broker). */
  static String bootstrap(String flag) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv("WF_BOOTSTRAP");
    return env == null || env.isBlank() ? null : env;
  }

  /**
   * Client properties from {@code --kafka-config FILE} or {@code WF_KAFKA_CONFIG} (TLS, SASL...).
   */
  static Map<String, String> clientProperties(Path file) {
    Path f = file;
    if (f == null) {
      String env = System.getenv("WF_KAFKA_CONFIG");
      f = env == null || env.isBlank() ? null : Path.of(env);
    }
    Map<String, String> out = new HashMap<>();
    if (f == null) {
      return out;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(f)) {
      p.load(in);
    } catch (IOException e) {
      throw new UserError(
          Main.INVALID, "cannot read Kafka client properties " + f + ": " + e.getMessage());
    }
    p.forEach((k, v) -> out.put(k.toString(), v.toString()));
    return out;
  }

  /** Fails with exit code 3 and one clear line when the cluster does not answer. */
  static void checkReachable(String bootstrap, Map<String, String> props, long timeoutMs) {
    Properties p = new Properties();
    p.putAll(props);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new UserError(
          Main.UNREACHABLE,
          "the Kafka cluster at "
              + bootstrap
              + " did not answer within "
              + timeoutMs / 1000
              + " s");
    }
  }
}
