package dev.wf.protocol.trust;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * Checks signed records against the public keys of the parties it trusts, by name. It can verify
 * but not sign: holding a verifier (an agent holds the coordinator's public key) grants nothing.
 */
public final class Verifier {
  /** A record that verified: who signed it and when (by the signer's clock). */
  public record Verified(String signer, long signedAt) {}

  /** The outcome: who signed, or why the record is not proven to come from a trusted party. */
  public record Check(Verified verified, String problem) {
    public boolean ok() {
      return verified != null;
    }

    static Check fail(String problem) {
      return new Check(null, problem);
    }
  }

  private final Map<String, PublicKey> keys;

  public Verifier(Map<String, PublicKey> keys) {
    this.keys = Map.copyOf(new LinkedHashMap<>(keys));
  }

  public static Verifier of(String name, PublicKey key) {
    return new Verifier(Map.of(Signed.checkName(name), key));
  }

  public boolean knows(String name) {
    return keys.containsKey(name);
  }

  public Check check(Signed.Purpose purpose, String recordKey, byte[] value, Headers headers) {
    Optional<String> signature = Signed.header(headers, Signed.SIGNATURE);
    if (signature.isEmpty()) {
      return Check.fail("unsigned");
    }
    String[] parts = signature.get().split(":", 3);
    if (parts.length != 3 || !parts[0].equals(Signed.SCHEME)) {
      return Check.fail("malformed signature (expected " + Signed.SCHEME + ":<signer>:<base64>)");
    }
    PublicKey key = keys.get(parts[1]);
    if (key == null) {
      return Check.fail("signed by \"" + safe(parts[1]) + "\", who is not trusted here");
    }
    long signedAt;
    byte[] given;
    try {
      signedAt = Long.parseLong(Signed.header(headers, Signed.SIGNED_AT).orElse(""));
      given = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      return Check.fail("malformed signature");
    }
    boolean valid;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(Signed.bytes(purpose, recordKey, signedAt, value));
      valid = s.verify(given);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      valid = false;
    }
    return valid
        ? new Check(new Verified(parts[1], signedAt), null)
        : Check.fail("forged or altered (the signature of \"" + parts[1] + "\" does not match)");
  }

  private static String safe(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
