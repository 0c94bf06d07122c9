package dev.wf.agent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The dispatches this agent has taken, kept on disk until they expire, so that the same signed
 * dispatch is never run twice by it: not after a restart, and not after its consumer group's
 * offsets were reset to replay the topic. A dispatch past its expiry is refused anyway, so an entry
 * is forgotten when its dispatch expires. One line per dispatch: {@code expiresAt runId
 * dispatchId}.
 */
final class SeenDispatches implements AutoCloseable {
  private static final int COMPACT_AT = 10_000;

  private final Path file;
  private final LongSupplier clock;
  private final Map<String, Long> seen = new HashMap<>();
  private BufferedWriter out;
  private int lines;

  SeenDispatches(Path file, LongSupplier clock) {
    this.file = file;
    this.clock = clock;
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file)) {
        long now = clock.getAsLong();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] p = line.split(" ", 2);
          try {
            long expires = Long.parseLong(p[0]);
            if (p.length == 2 && expires >= now) {
              seen.put(p[1], expires);
            }
          } catch (NumberFormatException e) {
            // a line cut short by a crash
          }
        }
      }
      rewrite();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the list of taken dispatches in " + file, e);
    }
  }

  /**
   * True the first time this dispatch is seen (and notes it); false when it was taken before. A
   * dispatch without expiry (from an older coordinator) is not noted.
   */
  synchronized boolean firstTime(String runId, String dispatchId, Long expiresAt) {
    if (expiresAt == null) {
      return true;
    }
    String id = runId + " " + dispatchId;
    if (seen.containsKey(id)) {
      return false;
    }
    seen.put(id, expiresAt);
    try {
      out.write(expiresAt + " " + id);
      out.newLine();
      out.flush();
      if (++lines > COMPACT_AT && lines > 2 * seen.size()) {
        forgetExpired();
        rewrite();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot note a taken dispatch in " + file, e);
    }
    return true;
  }

  private void forgetExpired() {
    long now = clock.getAsLong();
    seen.values().removeIf(expires -> expires < now);
  }

  private void rewrite() throws IOException {
    if (out != null) {
      out.close();
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    List<String> live = seen.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList();
    Files.write(tmp, live, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    lines = live.size();
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      // nothing to do: every line was flushed when written
    }
  }
}
