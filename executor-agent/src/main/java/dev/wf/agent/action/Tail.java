package dev.wf.agent.action;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last {@code capacity} bytes of a stream; reads it to the end on its own thread. */
final class Tail {
  private final byte[] buffer;
  private long total;

  Tail(int capacity) {
    this.buffer = new byte[capacity];
  }

  Thread drain(InputStream in, String name) {
    Thread t =
        new Thread(
            () -> {
              byte[] chunk = new byte[8192];
              try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                  append(chunk, n);
                }
              } catch (IOException e) {
                // the process is gone; what was read is kept
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  synchronized void append(byte[] chunk, int n) {
    for (int i = 0; i < n; i++) {
      buffer[(int) (total++ % buffer.length)] = chunk[i];
    }
  }

  synchronized String text() {
    int len = (int) Math.min(total, buffer.length);
    byte[] out = new byte[len];
    long start = total - len;
    for (int i = 0; i < len; i++) {
      out[i] = buffer[(int) ((start + i) % buffer.length)];
    }
    String s = new String(out, StandardCharsets.UTF_8);
    return total > buffer.length ? s.substring(Math.min(s.length(), 1)) : s;
  }
}
