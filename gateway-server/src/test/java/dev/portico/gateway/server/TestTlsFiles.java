package dev.portico.gateway.server;

import java.io.OutputStream;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI written to a directory as the server reads it: a CA ({@code ca.pem}), a server
 * certificate for {@code localhost} and {@code 127.0.0.1} signed by it as PEM ({@code server.pem},
 * the chain, and {@code server.key}, PKCS#8) and as a PKCS12 store ({@code server.p12}, password
 * {@link #PASSWORD}), a key of another pair ({@code other.key}), and a client identity for mutual
 * TLS. Made the way integration-tests' {@code TestCertificates} makes its PKI (BouncyCastle builds,
 * the JDK signs and parses); that class is test code of another module, so not reachable here.
 */
final class TestTlsFiles {
  static final String PASSWORD = "portico-test";
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  final Path ca;
  final Path certificate;
  final Path key;
  final Path keyStore;
  final Path otherKey;
  private final KeyStore trust;
  private final KeyStore client;

  private TestTlsFiles(Path dir) throws Exception {
    KeyPair caKeys = keys();
    X500Name caName = name("CN=Portico Server Test CA");
    JcaX509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys);
    caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    X509Certificate caCertificate = sign(caBuilder, caKeys);

    KeyPair serverKeys = keys();
    JcaX509v3CertificateBuilder server = builder(caName, name("CN=localhost"), serverKeys);
    server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate serverCertificate = sign(server, caKeys);

    KeyPair clientKeys = keys();
    JcaX509v3CertificateBuilder clientBuilder = builder(caName, name("CN=portico-client"), clientKeys);
    clientBuilder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    X509Certificate clientCertificate = sign(clientBuilder, caKeys);

    ca = pem(dir.resolve("ca.pem"), "CERTIFICATE", caCertificate.getEncoded());
    certificate = dir.resolve("server.pem");
    Files.writeString(certificate, block("CERTIFICATE", serverCertificate.getEncoded())
        + block("CERTIFICATE", caCertificate.getEncoded()));
    key = pem(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
    otherKey = pem(dir.resolve("other.key"), "PRIVATE KEY", keys().getPrivate().getEncoded());
    KeyStore p12 = store();
    p12.setKeyEntry("server", serverKeys.getPrivate(), PASSWORD.toCharArray(),
        new Certificate[] {serverCertificate, caCertificate});
    keyStore = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(keyStore)) {
      p12.store(out, PASSWORD.toCharArray());
    }
    trust = store();
    trust.setCertificateEntry("ca", caCertificate);
    client = store();
    client.setKeyEntry("client", clientKeys.getPrivate(), PASSWORD.toCharArray(),
        new Certificate[] {clientCertificate, caCertificate});
  }

  /** Writes a new PKI into {@code dir}. */
  static TestTlsFiles create(Path dir) throws Exception {
    return new TestTlsFiles(dir);
  }

  /** A JDK client that trusts the CA and prefers {@code version}; with the client certificate when {@code mutual}. */
  HttpClient client(HttpClient.Version version, boolean mutual) throws Exception {
    return HttpClient.newBuilder().sslContext(sslContext(mutual)).version(version)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A TLS context that trusts the CA; with the client certificate when {@code mutual}. */
  SSLContext sslContext(boolean mutual) throws Exception {
    TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trusting.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManagerFactory keys = null;
    if (mutual) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(client, PASSWORD.toCharArray());
    }
    context.init(keys == null ? null : keys.getKeyManagers(), trusting.getTrustManagers(), null);
    return context;
  }

  private static Path pem(Path file, String label, byte[] der) throws Exception {
    Files.writeString(file, block(label, der), StandardCharsets.US_ASCII);
    return file;
  }

  private static String block(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + label + "-----\n";
  }

  private static X500Name name(String rfc2253) {
    return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static KeyStore store() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, PASSWORD.toCharArray());
    return store;
  }
}
