package dev.wf.protocol.trust;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * The JDK's Ed25519 keys (what the PEM files hold) as Bouncy Castle's, whose signing is about ten
 * times faster than the JDK 17 provider's: every dispatch, report and heartbeat is signed or
 * checked, so this is on the path of every step.
 */
final class Ed25519Keys {
  private Ed25519Keys() {}

  static Ed25519PrivateKeyParameters signing(PrivateKey key) {
    return (Ed25519PrivateKeyParameters) convert(key.getEncoded(), true);
  }

  static Ed25519PublicKeyParameters verifying(PublicKey key) {
    return (Ed25519PublicKeyParameters) convert(key.getEncoded(), false);
  }

  private static AsymmetricKeyParameter convert(byte[] encoded, boolean isPrivate) {
    try {
      AsymmetricKeyParameter k =
          isPrivate ? PrivateKeyFactory.createKey(encoded) : PublicKeyFactory.createKey(encoded);
      if (!(k instanceof Ed25519PrivateKeyParameters || k instanceof Ed25519PublicKeyParameters)) {
        throw new IllegalArgumentException("not an Ed25519 key");
      }
      return k;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an Ed25519 key: " + e.getMessage());
    }
  }
}
