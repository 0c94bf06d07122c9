package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Results;
import dev.wf.coordinator.engine.RunInfo;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.coordinator.engine.StepState;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads a run's state so far from the coordinator's stores (for the HTTP API and wf status). */
public final class RunQueries {
  private final KafkaStreams streams;
  private final CoordinatorConfig config;

  public RunQueries(KafkaStreams streams, CoordinatorConfig config) {
    this.streams = streams;
    this.config = config;
  }

  /** Where the run lives: this instance (empty) or another one's HTTP address. */
  public Optional<HostInfo> owner(String runId, HostInfo self) {
    KeyQueryMetadata md =
        streams.queryMetadataForKey(Keyspace.STORE, runId, new StringSerializer());
    if (md == null
        || md.activeHost() == null
        || md.activeHost().equals(HostInfo.unavailable())
        || md.activeHost().equals(self)) {
      return Optional.empty();
    }
    return Optional.of(md.activeHost());
  }

  /**
   * The run's result so far, with the steps in flight; empty when this instance does not hold it.
   */
  public Optional<WorkflowResult> snapshot(String runId, long now) {
    ReadOnlyKeyValueStore<String, byte[]> state = store(Keyspace.STORE);
    Keyspace.In runs = Keyspace.RUNS.in(state);
    Keyspace.In steps = Keyspace.STEPS.in(state);
    Keyspace.In defs = Keyspace.DEFINITIONS.in(state);
    byte[] run = runs.get(runId);
    byte[] def = defs.get(runId);
    if (run == null || def == null) {
      return Optional.empty();
    }
    try {
      Plan plan = RunProcessor.storedPlan(def, config.limits());
      return Optional.of(
          Results.of(plan, new ReadView(runId, Json.read(run, RunInfo.class), steps), now, true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
  }

  private record ReadView(String runId, RunInfo info, Keyspace.In steps) implements RunStore {
    @Override
    public RunInfo run() {
      return info;
    }

    @Override
    public void putRun(RunInfo run) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public StepState step(String path) {
      byte[] b = steps.get(StoreRunView.stepKey(runId, path));
      try {
        return b == null ? null : Json.read(b, StepState.class);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public StepState create(String path) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public void remove(String path) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public JsonNode data(String key) {
      return null; // a query reads step states only
    }

    @Override
    public void putData(String key, JsonNode value) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public void forEachStep(Consumer<StepState> visitor) {
      try (KeyValueIterator<String, byte[]> it = steps.prefixScan(runId + StoreRunView.SEP)) {
        while (it.hasNext()) {
          visitor.accept(Json.read(it.next().value, StepState.class));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
