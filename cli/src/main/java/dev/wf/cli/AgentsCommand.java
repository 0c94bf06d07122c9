package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.message.AgentHeartbeat;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wf agents}: the live agents, from their heartbeats. */
@Command(
    name = "agents",
    description = "List live agents: id, host, pools, running steps, last heartbeat.",
    mixinStandardHelpOptions = true)
final class AgentsCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Option(names = "--json", description = "Print the heartbeats as JSON.")
  boolean json;

  @Option(names = "--all", description = "Also list agents that stopped heartbeating.")
  boolean all;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, AgentHeartbeat> latest = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        Kafka.reader(kafka.reachable(), kafka.clientProperties(), 500)) {
      List<TopicPartition> parts = new ArrayList<>();
      String topic = kafka.topics().agents();
      consumer
          .partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            latest.remove(r.key());
            continue;
          }
          try {
            latest.put(r.key(), Json.read(r.value(), AgentHeartbeat.class));
          } catch (IOException e) {
            // not a heartbeat
          }
        }
      }
    }
    long now = System.currentTimeMillis();
    List<AgentHeartbeat> shown =
        latest.values().stream()
            .filter(h -> all || now - h.at() <= Math.max(10_000, 3 * h.intervalMs()))
            .toList();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(shown));
    } else if (shown.isEmpty()) {
      out.println("no live agents on " + kafka.topics().agents());
    } else {
      for (AgentHeartbeat h : shown) {
        out.printf(
            Locale.ROOT,
            "%s  host %s  pools %s  running %d/%d  last heartbeat %.1f s ago%s%n",
            h.agent(),
            h.host(),
            String.join(",", h.pools()),
            h.running().size(),
            h.maxConcurrent(),
            (now - h.at()) / 1000.0,
            h.stopping() ? "  (stopping)" : "");
        for (AgentHeartbeat.Running r : h.running()) {
          out.println("    run " + r.runId() + "  " + r.path() + "  attempt " + r.attempt());
        }
      }
    }
    out.flush();
    return Main.OK;
  }
}
