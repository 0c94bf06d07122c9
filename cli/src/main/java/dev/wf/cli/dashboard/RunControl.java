package dev.wf.cli.dashboard;

/**
 * What the page may ask of a run. Implemented by the CLI's intake writer, the one that {@code wf
 * cancel} and {@code wf approve} use, so that the dashboard's requests are the same messages.
 */
public interface RunControl extends AutoCloseable {
  void cancel(String runId, String reason);

  void signal(String runId, String step, boolean approve, String by, String comment);

  /** Releases its connection; the dashboard calls it when it closes. */
  @Override
  void close();
}
