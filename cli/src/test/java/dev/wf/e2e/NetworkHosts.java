package dev.wf.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Separate network hosts on one machine: a network namespace per host, joined to this one by a veth
 * pair on its own subnet ({@code 10.231.N.0/24}; this side is {@code .1}, the host {@code .2}).
 * Needs root and iproute2; {@link #available()} says whether this machine allows it.
 */
final class NetworkHosts implements AutoCloseable {
  private final List<String> made = new ArrayList<>();
  private final String tag = Long.toString(ProcessHandle.current().pid() % 10_000);

  /** True when namespaces can be made here (root, iproute2). */
  static boolean available() {
    try {
      String probe = "wfprobe" + ProcessHandle.current().pid() % 10_000;
      if (run("ip", "netns", "add", probe) != 0) {
        return false;
      }
      run("ip", "netns", "del", probe);
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Makes host {@code n} (1..250); returns its namespace name. */
  String host(int n) throws IOException, InterruptedException {
    String ns = "wf" + tag + "h" + n;
    String outer = "wf" + tag + "o" + n;
    String inner = "wf" + tag + "i" + n;
    String net = "10.231." + n;
    must("ip", "netns", "add", ns);
    made.add(ns);
    must("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
    must("ip", "link", "set", inner, "netns", ns);
    must("ip", "addr", "add", net + ".1/24", "dev", outer);
    must("ip", "link", "set", outer, "up");
    must("ip", "netns", "exec", ns, "ip", "addr", "add", net + ".2/24", "dev", inner);
    must("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up");
    must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    // every address of this side is a local address here: reachable from any host without
    // forwarding
    must("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", net + ".1");
    return ns;
  }

  /** The address of this machine that every namespace reaches (the first host's link). */
  static String hubAddress() {
    return "10.231.1.1";
  }

  private static void must(String... cmd) throws IOException, InterruptedException {
    if (run(cmd) != 0) {
      throw new IOException("failed: " + String.join(" ", cmd));
    }
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  @Override
  public void close() {
    for (String ns : made) {
      try {
        run("ip", "netns", "del", ns); // takes its end of the veth pair, and so the pair, with it
      } catch (IOException | InterruptedException e) {
        // best effort
      }
    }
  }
}
