package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Results;
import dev.wf.coordinator.engine.RunInfo;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.coordinator.engine.StepState;
import dev.wf.protocol.result.WorkflowResult;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
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
   *
   * @throws java.io.UncheckedIOException when the store holds the run in bytes that do not decode
   */
  public Optional<WorkflowResult> snapshot(String runId, long now) {
    Keyspace state = Keyspace.readOnly(store(Keyspace.STORE));
    JsonNode def = state.definitions.get(runId);
    RunInfo run = def == null ? null : state.runs.get(runId);
    if (run == null) {
      return Optional.empty();
    }
    Plan plan = Plans.stored(def, config.limits());
    return Optional.of(Results.of(plan, new ReadView(runId, run, state), now, true));
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
  }

  private record ReadView(String runId, RunInfo info, Keyspace state) implements RunStore {
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
      return state.steps.get(new Keyspace.StepKey(runId, path));
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
      state.forEachStep(runId, e -> visitor.accept(e.value()));
    }
  }
}
