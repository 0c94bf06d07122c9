package dev.wf.protocol.trust;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs records as one party (the coordinator, an agent, a submitter) with its Ed25519 private key.
 * The signature covers what the record is for, its key, when it was signed and its value (see
 * {@link Signed}), and travels in the record's headers.
 */
public final class Signer {
  private final String name;
  private final Ed25519PrivateKeyParameters key;

  public Signer(String name, PrivateKey key) {
    this.name = Signed.checkName(name);
    this.key = Ed25519Keys.signing(Objects.requireNonNull(key, "key"));
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
    byte[] signed = Signed.bytes(purpose, recordKey, now, value);
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, key);
    s.update(signed, 0, signed.length);
    byte[] sig = s.generateSignature();
    to.remove(Signed.SIGNATURE);
    to.remove(Signed.SIGNED_AT);
    to.add(
        Signed.SIGNATURE,
        Signed.utf8(Signed.SCHEME + ":" + name + ":" + Base64.getEncoder().encodeToString(sig)));
    to.add(Signed.SIGNED_AT, Signed.utf8(Long.toString(now)));
  }
}
