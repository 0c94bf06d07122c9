package dev.wf.protocol.definition;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Set;

/**
 * Failures a leaf's retries do not cover: shell exit codes and HTTP statuses that say a new attempt
 * would fail the same way (a usage error, a 404). The agent asks it before each retry.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NonRetryable(Set<Integer> exitCodes, Set<Integer> statuses) {
  public static final NonRetryable NONE = new NonRetryable(Set.of(), Set.of());

  public NonRetryable {
    exitCodes = exitCodes == null ? Set.of() : Set.copyOf(exitCodes);
    statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
  }

  public boolean isEmpty() {
    return exitCodes.isEmpty() && statuses.isEmpty();
  }

  /**
   * Why a failure with this exit code or HTTP status (either may be null) is not retried, or null
   * when it may be.
   */
  public String reason(Integer exitCode, Integer httpStatus) {
    if (exitCode != null && exitCodes.contains(exitCode)) {
      return "exit code " + exitCode + " is nonRetryable";
    }
    if (httpStatus != null && statuses.contains(httpStatus)) {
      return "HTTP status " + httpStatus + " is nonRetryable";
    }
    return null;
  }
}
