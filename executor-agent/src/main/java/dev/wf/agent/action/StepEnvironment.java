package dev.wf.agent.action;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a shell step inherits from its agent's environment: only the names a command needs to run as
 * a user expects (its PATH, home, locale, time zone, proxies), never the agent's own settings
 * ({@code WF_SIGNING_KEYS}, {@code WF_HTTP_TOKEN}, credentials): a build step must not be able to
 * print what the agent holds. The step's {@code env} and the {@code WF_*} variables of the attempt
 * come on top.
 */
public final class StepEnvironment {
  /** The names passed through from the agent's environment. */
  public static final Set<String> PASSED =
      Set.of(
          "PATH",
          "HOME",
          "USER",
          "LOGNAME",
          "SHELL",
          "LANG",
          "LANGUAGE",
          "LC_ALL",
          "LC_CTYPE",
          "LC_MESSAGES",
          "TZ",
          "TMPDIR",
          "TERM",
          "JAVA_HOME",
          "http_proxy",
          "https_proxy",
          "no_proxy",
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "NO_PROXY");

  private StepEnvironment() {}

  /** The part of {@code agent} a step starts with. */
  public static Map<String, String> of(Map<String, String> agent) {
    Map<String, String> out = new TreeMap<>();
    agent.forEach(
        (k, v) -> {
          if (PASSED.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
