package dev.portico.gateway.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Turns {@link TlsOptions} into Jetty's {@link SslContextFactory.Server}, reading and checking every
 * file now so that a wrong one stops the start with a message naming the option and the file: a
 * missing or unreadable file, a PEM file without a certificate or key, a key that does not match the
 * certificate, a wrong key store password.
 *
 * <p>Protocols are TLS 1.3 and 1.2 only; cipher suites are Jetty's defaults (which leave out the
 * weak ones), ordered so that HTTP/2's are preferred.
 */
final class ServerTls {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final char[] IN_MEMORY_PASSWORD = "portico".toCharArray();

  /** Thrown when a TLS file or password is wrong; its message names the option and the file. */
  static final class InvalidTls extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidTls(String message) {
      super(message);
    }
  }

  private ServerTls() {}

  /**
   * Reads and checks the files of {@code options}, returning the factory for the gateway's connector.
   *
   * @throws InvalidTls naming the option and the file that is wrong
   */
  static SslContextFactory.Server load(TlsOptions options) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
    if (options.keyStore() != null) {
      char[] password = options.password() == null ? new char[0] : Secrets.resolve("--tls-password", options.password());
      ssl.setKeyStore(keyStore(options.keyStore(), password));
      ssl.setKeyStorePassword(new String(password));
    } else {
      Path certificate = Objects.requireNonNull(options.certificate(), "certificate");
      Path keyFile = Objects.requireNonNull(options.key(), "key");
      List<X509Certificate> chain = certificates("--tls-cert", certificate);
      PrivateKey key = privateKey(keyFile, chain.get(0));
      ssl.setKeyStore(identity(key, chain));
      ssl.setKeyStorePassword(new String(IN_MEMORY_PASSWORD));
    }
    switch (options.clientAuth()) {
      case NEED -> ssl.setNeedClientAuth(true);
      case WANT -> ssl.setWantClientAuth(true);
      case NONE -> { }
    }
    if (options.clientCa() != null) {
      ssl.setTrustStore(trustStore(certificates("--client-ca", options.clientCa())));
    }
    return ssl;
  }

  /** Every certificate in the PEM file, in order; at least one. */
  static List<X509Certificate> certificates(String option, Path file) {
    byte[] bytes = read(option, file);
    try {
      Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(bytes));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : read) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new InvalidTls(option + " " + file + ": no certificate in it (expected PEM: -----BEGIN CERTIFICATE-----)");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new InvalidTls(option + " " + file + ": not a PEM certificate chain (" + e.getMessage() + ")");
    }
  }

  /** The PKCS#8 key in {@code file}, checked to be the one of {@code certificate}. */
  private static PrivateKey privateKey(Path file, X509Certificate certificate) {
    String text = new String(read("--tls-key", file), StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String label = m.group(1);
      switch (label) {
        case "PRIVATE KEY" -> {
          PrivateKey key = decode(file, m.group(2), certificate.getPublicKey().getAlgorithm());
          if (!matches(key, certificate.getPublicKey())) {
            throw new InvalidTls("--tls-key " + file + ": the key does not match the certificate of --tls-cert ("
                + certificate.getSubjectX500Principal().getName() + ")");
          }
          return key;
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new InvalidTls("--tls-key " + file
            + ": an encrypted key is not read; give an unencrypted PKCS#8 key readable only by the server, or a"
            + " PKCS12 key store with --tls-keystore and --tls-password");
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new InvalidTls("--tls-key " + file + ": a key in PKCS#1 or"
            + " SEC 1 form (BEGIN " + label + ") is not read; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in "
            + file.getFileName() + " -out key.pem");
        default -> {
          // another block (parameters, a certificate): look further
        }
      }
    }
    throw new InvalidTls("--tls-key " + file + ": no private key in it (expected PEM: -----BEGIN PRIVATE KEY-----)");
  }

  private static PrivateKey decode(Path file, String base64, String algorithm) {
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new InvalidTls("--tls-key " + file + ": the key is not valid base64");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new InvalidTls("--tls-key " + file + ": not a " + algorithm
          + " private key, as the certificate of --tls-cert needs (" + e.getMessage() + ")");
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (publicKey.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "ED25519", "EDDSA" -> "Ed25519";
      case "ED448" -> "Ed448";
      default -> null;
    };
    if (algorithm == null) {
      return true;   // RSASSA-PSS and others: the handshake checks the pair
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static KeyStore identity(PrivateKey key, List<X509Certificate> chain) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, IN_MEMORY_PASSWORD);
      store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot hold the key in memory", e);
    }
  }

  private static KeyStore keyStore(Path file, char[] password) {
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidTls("--tls-keystore " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidTls("--tls-keystore " + file + (e.getCause() instanceof java.security.UnrecoverableKeyException
          ? ": cannot be read with the password of --tls-password (wrong password)"
          : ": not a PKCS12 key store, or not readable (" + e.getMessage() + ")"));
    } catch (GeneralSecurityException e) {
      throw new InvalidTls("--tls-keystore " + file + ": not a PKCS12 key store (" + e.getMessage() + ")");
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          Key key = store.getKey(alias, password);
          if (key instanceof PrivateKey && store.getCertificateChain(alias) != null) {
            return store;
          }
        }
      }
    } catch (java.security.UnrecoverableKeyException e) {
      throw new InvalidTls("--tls-keystore " + file + ": the key's password is not the store's (--tls-password)");
    } catch (GeneralSecurityException e) {
      throw new InvalidTls("--tls-keystore " + file + ": " + e.getMessage());
    }
    throw new InvalidTls("--tls-keystore " + file + ": no private key with a certificate chain in it");
  }

  private static KeyStore trustStore(List<X509Certificate> cas) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, IN_MEMORY_PASSWORD);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot hold the CAs in memory", e);
    }
  }

  private static byte[] read(String option, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidTls(option + " " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidTls(option + " " + file + ": cannot be read (" + e.getMessage() + ")");
    }
  }
}
