package dev.wf.agent.action;

import java.nio.file.Path;
import java.time.Duration;

/** What an action needs to know about the attempt it runs. */
public record AttemptContext(
    String runId,
    String path,
    int attempt,
    String idempotencyKey,
    Duration timeout,
    Path workdir,
    Cancellation cancellation) {}
