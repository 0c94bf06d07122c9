package dev.wf.protocol.trust;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;

/**
 * Signs records as one party (the coordinator, an agent, a submitter) with its Ed25519 private key.
 * The signature covers what the record is for, its key, when it was signed and its value (see
 * {@link Signed}), and travels in the record's headers.
 */
public final class Signer {
  private final String name;
  private final PrivateKey key;

  public Signer(String name, PrivateKey key) {
    this.name = Signed.checkName(name);
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The key in {@code file}, signing as {@code name}. */
  public static Signer fromFile(String name, Path file) {
    return new Signer(name, Keys.readPrivate(file));
  }

  public String name() {
    return name;
  }

  /** Adds the signature headers of a record with this key and value (null: a tombstone). */
  public void sign(Signed.Purpose purpose, String recordKey, byte[] value, long now, Headers to) {
    byte[] sig;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(Signed.bytes(purpose, recordKey, now, value));
      sig = s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
    to.remove(Signed.SIGNATURE);
    to.remove(Signed.SIGNED_AT);
    to.add(
        Signed.SIGNATURE,
        Signed.utf8(Signed.SCHEME + ":" + name + ":" + Base64.getEncoder().encodeToString(sig)));
    to.add(Signed.SIGNED_AT, Signed.utf8(Long.toString(now)));
  }
}
