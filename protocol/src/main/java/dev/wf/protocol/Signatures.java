package dev.wf.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of dispatch records, so that agents run only what the coordinator sent. A
 * signature is {@code v1:<keyId>:<base64 HMAC of the record's value bytes>}, carried in the record
 * header {@code wf.signature}. Keys are written {@code id=secret,id2=secret2}: the first signs, all
 * verify, so a key can be rotated by adding the new one to the agents first, then putting it first
 * on the coordinator, then removing the old one.
 */
public final class Signatures {
  public static final String HEADER = "wf.signature";
  private static final String ALGORITHM = "HmacSHA256";

  private final Map<String, byte[]> keys;
  private final String signingKey;

  private Signatures(Map<String, byte[]> keys) {
    this.keys = keys;
    this.signingKey = keys.isEmpty() ? null : keys.keySet().iterator().next();
  }

  /**
   * Parses {@code id=secret[,id=secret...]}; empty or null means no signing.
   *
   * @throws IllegalArgumentException naming what is wrong (never the secret)
   */
  public static Signatures parse(String spec) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return new Signatures(keys);
    }
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0 || eq == p.length() - 1) {
        throw new IllegalArgumentException("signing keys are written id=secret[,id=secret...]");
      }
      String id = p.substring(0, eq);
      if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "signing key id \"" + id + "\" may hold only letters, digits, '.', '_' and '-'");
      }
      byte[] secret = p.substring(eq + 1).getBytes(StandardCharsets.UTF_8);
      if (secret.length < 16) {
        throw new IllegalArgumentException("signing key \"" + id + "\" is shorter than 16 bytes");
      }
      keys.put(id, secret);
    }
    return new Signatures(keys);
  }

  public static Signatures none() {
    return new Signatures(Map.of());
  }

  public boolean enabled() {
    return signingKey != null;
  }

  /** The signature of {@code value} with the first key, or empty when signing is off. */
  public Optional<String> sign(byte[] value) {
    if (signingKey == null) {
      return Optional.empty();
    }
    return Optional.of(
        "v1:"
            + signingKey
            + ":"
            + Base64.getEncoder().encodeToString(mac(keys.get(signingKey), value)));
  }

  /**
   * Why {@code signature} does not prove {@code value} came from the coordinator, or empty if it
   * does.
   */
  public Optional<String> problem(byte[] value, String signature) {
    if (signature == null) {
      return Optional.of("unsigned dispatch");
    }
    String[] parts = signature.split(":", 3);
    if (parts.length != 3 || !parts[0].equals("v1")) {
      return Optional.of("malformed signature");
    }
    byte[] key = keys.get(parts[1]);
    if (key == null) {
      return Optional.of("signed with unknown key \"" + parts[1] + "\"");
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      return Optional.of("malformed signature");
    }
    return MessageDigest.isEqual(given, mac(key, value))
        ? Optional.empty()
        : Optional.of("forged or altered dispatch (signature does not match)");
  }

  private static byte[] mac(byte[] key, byte[] value) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(value);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
