package dev.wf.e2e;

import dev.wf.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker the end-to-end tests use, started once per test JVM: an external cluster when {@code
 * WF_TEST_BOOTSTRAP} names one (never {@code WF_BOOTSTRAP}, which may name a cluster in real use),
 * Testcontainers' Kafka when {@code WF_TEST_KAFKA=testcontainers} and a Docker engine answers, else
 * a real embedded KRaft broker. Never a mock.
 */
public final class TestKafka {
  private static String bootstrap;

  private TestKafka() {}

  public static synchronized String bootstrap() {
    if (bootstrap != null) {
      return bootstrap;
    }
    String external = System.getenv("WF_TEST_BOOTSTRAP");
    if (external != null && !external.isBlank()) {
      bootstrap = external;
    } else if ("testcontainers".equals(System.getenv("WF_TEST_KAFKA"))
        && Containers.dockerAnswers()) {
      bootstrap = Containers.startKafka();
    } else {
      try {
        Path dir = Files.createTempDirectory("wf-test-broker-");
        EmbeddedBroker broker = EmbeddedBroker.start(dir, 0, "localhost");
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        bootstrap = broker.bootstrap();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return bootstrap;
  }
}
