package dev.wf.e2e;

import java.io.File;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** Testcontainers' Kafka module, used only where a Docker engine answers. */
final class Containers {
  private Containers() {}

  /** Asks the Docker daemon itself (the {@code docker} client exists without an engine). */
  static boolean dockerAnswers() {
    if (!new File("/var/run/docker.sock").exists() && System.getenv("DOCKER_HOST") == null) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // lives as long as the test JVM
  static String startKafka() {
    KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
    kafka.start();
    return kafka.getBootstrapServers();
  }
}
