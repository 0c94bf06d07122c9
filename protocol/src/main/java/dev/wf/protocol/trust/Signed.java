package dev.wf.protocol.trust;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What a signature covers, and where it travels. A signed record carries {@code wf.signature}
 * ({@code ed25519:<signer>:<base64 signature>}) and {@code wf.signed-at} (epoch millis). The signed
 * bytes are the purpose, the record key, the signing time and the value, each length-prefixed, so
 * that a signature made for one thing cannot be presented as another: a report is not an intake
 * message, a heartbeat of one agent is not another's, and a value cannot be moved to another key.
 */
public final class Signed {
  public static final String SIGNATURE = "wf.signature";
  public static final String SIGNED_AT = "wf.signed-at";
  static final String SCHEME = "ed25519";

  /** What a signed record is for: a signature for one purpose verifies for no other. */
  public enum Purpose {
    /** A step dispatch, signed by the coordinator, verified by agents. */
    DISPATCH,
    /** A submission, cancel, signal or rerun on the intake, signed by a submitter. */
    INTAKE,
    /** An agent's report on an attempt, verified by the coordinator. */
    REPORT,
    /** An agent's heartbeat or goodbye (tombstone) on the agents topic. */
    AGENT,
    /** The coordinator's order to an agent to stop an attempt. */
    CONTROL
  }

  private Signed() {}

  /** A record of {@code value} (null: a tombstone), signed by {@code signer} unless it is null. */
  public static ProducerRecord<String, byte[]> record(
      String topic, String key, byte[] value, Purpose purpose, Signer signer, long now) {
    RecordHeaders headers = new RecordHeaders();
    if (signer != null) {
      signer.sign(purpose, key, value, now, headers);
    }
    return new ProducerRecord<>(topic, null, key, value, headers);
  }

  static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9._@-]{1,128}")) {
      throw new IllegalArgumentException(
          "a signer's name (\""
              + name
              + "\") may hold only letters, digits, '.', '_', '@' and '-'");
    }
    return name;
  }

  static byte[] bytes(Purpose purpose, String key, long signedAt, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    part(out, purpose.name().getBytes(StandardCharsets.US_ASCII));
    part(out, key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8));
    part(out, Long.toString(signedAt).getBytes(StandardCharsets.US_ASCII));
    out.write(value == null ? 0 : 1);
    part(out, value == null ? new byte[0] : value);
    return out.toByteArray();
  }

  private static void part(ByteArrayOutputStream out, byte[] b) {
    int n = b.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.write(b, 0, n);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Optional<String> header(Headers headers, String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    return h == null || h.value() == null
        ? Optional.empty()
        : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
  }
}
