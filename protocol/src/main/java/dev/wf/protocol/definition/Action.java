package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a leaf runs. Values that may hold {@code ${{ }}} templates are kept as written; the
 * coordinator resolves them when it dispatches the step.
 */
public sealed interface Action {
  String kind();

  /** {@code sh -c COMMAND sh ARGS...}, in its own process group. */
  record Shell(String command, List<String> args, Map<String, String> env, Optional<String> workdir)
      implements Action {
    public Shell {
      Objects.requireNonNull(command, "command");
      args = List.copyOf(args);
      env = Map.copyOf(env);
      Objects.requireNonNull(workdir, "workdir");
    }

    @Override
    public String kind() {
      return "shell";
    }
  }

  /** An HTTP request; the attempt succeeds when the status is in {@code expectStatus}. */
  record Http(
      String method,
      String url,
      Map<String, String> headers,
      Optional<String> body,
      List<Integer> expectStatus)
      implements Action {
    public Http {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
      headers = Map.copyOf(headers);
      Objects.requireNonNull(body, "body");
      expectStatus = List.copyOf(expectStatus);
    }

    @Override
    public String kind() {
      return "http";
    }

    /** True when {@code status} counts as success (any 2xx when no list was given). */
    public boolean accepts(int status) {
      return expectStatus.isEmpty() ? status >= 200 && status < 300 : expectStatus.contains(status);
    }
  }

  /** Does nothing and succeeds with {@code result} (or no result). */
  record Noop(Optional<JsonNode> result) implements Action {
    public Noop {
      Objects.requireNonNull(result, "result");
    }

    @Override
    public String kind() {
      return "noop";
    }
  }

  /** Waits {@code duration} and succeeds. */
  record Sleep(Duration duration) implements Action {
    public Sleep {
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public String kind() {
      return "sleep";
    }
  }

  /**
   * Waits for a person: the coordinator asks {@code message} ({@code step:approval}) and the step
   * ends when a signal approves or rejects it, or when its timeout passes. It runs on no agent.
   */
  record Approval(String message) implements Action {
    @Override
    public String kind() {
      return "approval";
    }
  }

  /** A kind registered by an agent plug-in; its fields are passed to the plug-in as they are. */
  record Plugin(String kind, JsonNode spec) implements Action {
    public Plugin {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(spec, "spec");
    }
  }
}
