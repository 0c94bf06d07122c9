package dev.wf.cli.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may use the dashboard, as the coordinator's API decides it: with a token, a request carries
 * {@code Authorization: Bearer TOKEN}, or the cookie a browser got by opening {@code /?token=TOKEN}
 * once (a browser's EventSource cannot send headers). Requests that change something must also
 * carry the page's own header and come from its own origin, so another site cannot forge them.
 */
final class Access {
  static final String COOKIE = "wf_dashboard_token";
  static final String ACTION_HEADER = "X-WF-Dashboard";

  private final String token;

  Access(String token) {
    this.token = token == null || token.isEmpty() ? null : token;
  }

  boolean open() {
    return token == null;
  }

  boolean allows(HttpExchange ex) {
    if (token == null) {
      return true;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && same(auth, "Bearer " + token)) {
      return true;
    }
    List<String> cookies = ex.getRequestHeaders().get("Cookie");
    if (cookies != null) {
      for (String header : cookies) {
        for (String c : header.split(";")) {
          String kv = c.trim();
          if (kv.startsWith(COOKIE + "=") && same(kv.substring(COOKIE.length() + 1), token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The token the query string offers ({@code ?token=...}), when it is the right one. */
  boolean offered(String token) {
    return this.token != null && token != null && same(token, this.token);
  }

  String cookie() {
    return COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
  }

  /** A state-changing request from the page itself: its header, and no foreign origin. */
  static boolean fromPage(HttpExchange ex) {
    if (!"1".equals(ex.getRequestHeaders().getFirst(ACTION_HEADER))) {
      return false;
    }
    String origin = ex.getRequestHeaders().getFirst("Origin");
    String host = ex.getRequestHeaders().getFirst("Host");
    if (origin == null) {
      return true;
    }
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether the request names a host this dashboard answers to. Bound to this host only, it answers
   * only to loopback names: a web page whose name an attacker points at 127.0.0.1 (DNS rebinding)
   * would otherwise read it, and press its buttons, as its own origin.
   */
  static boolean hostAllowed(HttpExchange ex, boolean loopbackOnly) {
    if (!loopbackOnly) {
      return true;
    }
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null) {
      return false;
    }
    String name =
        host.startsWith("[")
            ? host.substring(0, host.indexOf(']') + 1)
            : host.replaceFirst(":\\d+$", "");
    return LOOPBACK_NAMES.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  private static final java.util.Set<String> LOOPBACK_NAMES =
      java.util.Set.of("localhost", "127.0.0.1", "[::1]");

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
