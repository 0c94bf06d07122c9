package dev.wf.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Internal: a step asks for a concurrency key ({@code acquire}, with what it does when the key is
 * busy) or lets it go ({@code release}); keyed by the key, on the coordinator's keys topic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyRequest(String type, String key, String runId, String path, String onBusy) {
  public static final String ACQUIRE = "acquire";
  public static final String RELEASE = "release";
}
