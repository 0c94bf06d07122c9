package dev.wf.protocol.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys as PEM files: a private key ({@code PRIVATE KEY}, PKCS#8) that signs, and its public
 * key ({@code PUBLIC KEY}, X.509) that verifies. The JDK does the cryptography; this class only
 * reads and writes the files, with errors that name the file and never print key material.
 */
public final class Keys {
  private static final String ALGORITHM = "Ed25519";
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";

  private Keys() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JDK", e);
    }
  }

  /**
   * Writes {@code NAME.key} (readable by its owner alone) and {@code NAME.pub} into {@code dir}.
   *
   * @throws IOException when a file exists already (a key is never overwritten) or cannot be made
   */
  public static void write(KeyPair pair, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path priv = dir.resolve(name + ".key");
    Path pub = dir.resolve(name + ".pub");
    for (Path p : new Path[] {priv, pub}) {
      if (Files.exists(p)) {
        throw new IOException(p + " exists already; a key is never overwritten");
      }
    }
    try {
      Files.createFile(
          priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(priv);
    }
    Files.writeString(priv, pem(PRIVATE, pair.getPrivate().getEncoded()));
    Files.writeString(pub, pem(PUBLIC, pair.getPublic().getEncoded()));
  }

  public static String publicPem(PublicKey key) {
    return pem(PUBLIC, key.getEncoded());
  }

  /** The private key in {@code file}. */
  public static PrivateKey readPrivate(Path file) {
    byte[] der = der(file, PRIVATE);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": not an Ed25519 private key");
    }
  }

  /** The public key in {@code file}. */
  public static PublicKey readPublic(Path file) {
    return publicKey(der(file, PUBLIC), file.toString());
  }

  /** A public key written as a PEM block or as the base64 of its X.509 encoding. */
  public static PublicKey parsePublic(String text, String where) {
    String body = text.strip();
    if (body.startsWith("-----")) {
      body = body.replaceAll("-----[A-Z ]+-----", "");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": not a public key (PEM or base64 expected)");
    }
    return publicKey(der, where);
  }

  private static PublicKey publicKey(byte[] der, String where) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(where + ": not an Ed25519 public key");
    }
  }

  private static byte[] der(Path file, String type) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage());
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(
          file + ": no \"" + begin + "\" block (make keys with wf keygen)");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the " + type + " block is not base64");
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
