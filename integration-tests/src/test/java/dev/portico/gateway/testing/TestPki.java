package dev.portico.gateway.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 * A throw-away certificate authority made with BouncyCastle for TLS tests: issues server and client
 * certificates (EC P-256) and packs them into in-memory PKCS#12 key and trust stores.
 */
public final class TestPki {
  public static final char[] PASSWORD = "changeit".toCharArray();
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A private key with its certificate chain, leaf first. */
  public record Issued(KeyPair keys, List<X509Certificate> chain) {
    public X509Certificate certificate() {
      return chain.get(0);
    }

    /** A PKCS#12 key store holding this key and chain under alias {@code key}. */
    public KeyStore keyStore() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("key", keys.getPrivate(), PASSWORD, chain.toArray(X509Certificate[]::new));
      return store;
    }
  }

  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final X500Name caName;

  private TestPki(String name) throws Exception {
    caKeys = newKeys();
    caName = new X500Name("CN=" + name + ",O=Portico Tests");
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), caName, caKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    caCertificate = sign(builder, caKeys);
  }

  /** Creates a new certificate authority named {@code name}. */
  public static TestPki create(String name) throws Exception {
    return new TestPki(name);
  }

  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** A trust store holding only this authority. */
  public KeyStore trustStore() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", caCertificate);
    return store;
  }

  /** A server certificate for {@code localhost} and {@code 127.0.0.1}. */
  public Issued server() throws Exception {
    return issue("CN=localhost", Instant.now().plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth,
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
  }

  /** A client certificate with subject {@code subjectDn} and these subject alternative names. */
  public Issued client(String subjectDn, GeneralName... alternativeNames) throws Exception {
    return issue(subjectDn, Instant.now().plus(Duration.ofDays(1)), KeyPurposeId.id_kp_clientAuth, alternativeNames);
  }

  /** A client certificate that expired an hour ago. */
  public Issued expiredClient(String subjectDn) throws Exception {
    return issue(subjectDn, Instant.now().minus(Duration.ofHours(1)), KeyPurposeId.id_kp_clientAuth);
  }

  private Issued issue(String subjectDn, Instant notAfter, KeyPurposeId purpose, GeneralName... alternativeNames)
      throws Exception {
    KeyPair keys = newKeys();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName, serial(),
        Date.from(Instant.now().minus(Duration.ofHours(2))), Date.from(notAfter), new X500Name(subjectDn), keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    if (alternativeNames.length > 0) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
    }
    List<X509Certificate> chain = new ArrayList<>(List.of(sign(builder, caKeys), caCertificate));
    return new Issued(keys, List.copyOf(chain));
  }

  private static KeyPair newKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
