package dev.portico.gateway.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI made in memory with BouncyCastle: an EC P-256 certificate authority, a server
 * certificate for {@code localhost} (SANs {@code DNS:localhost} and {@code IP:127.0.0.1}) and a
 * client certificate ({@link #CLIENT_SUBJECT}), both signed by the CA, as PKCS12 key stores.
 * Creating one takes milliseconds; make one per test class.
 *
 * <p>Only JCA providers of the JDK sign and parse; BouncyCastle builds the certificates and is not
 * registered as a provider.
 */
public final class TestCertificates {
  /** Password of every key store and key made here. */
  public static final char[] PASSWORD = "portico-test".toCharArray();
  /** Subject of the client certificate, as {@link javax.security.auth.x500.X500Principal#getName()} prints it. */
  public static final String CLIENT_SUBJECT = "CN=portico-gateway,O=Portico Tests";

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final KeyStore trustStore;
  private final KeyStore serverIdentity;
  private final KeyStore clientIdentity;

  private TestCertificates() throws GeneralSecurityException, OperatorCreationException, CertIOException {
    caKeys = newKeyPair();
    X500Name caName = name("CN=Portico Test CA,O=Portico Tests");
    JcaX509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys);
    caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    caBuilder.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic()));
    ca = sign(caBuilder);

    trustStore = emptyStore();
    trustStore.setCertificateEntry("portico-test-ca", ca);
    serverIdentity = issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
    clientIdentity = issue(name(CLIENT_SUBJECT), KeyPurposeId.id_kp_clientAuth, null);
  }

  /** Makes a new CA with its server and client identities. */
  public static TestCertificates create() {
    try {
      return new TestCertificates();
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot create test certificates", e);
    }
  }

  /** Returns a trust store holding only the CA. */
  public KeyStore trustStore() {
    return trustStore;
  }

  /** Returns the CA certificate. */
  public X509Certificate ca() {
    return ca;
  }

  /** Returns the {@code localhost} / {@code 127.0.0.1} server key and certificate chain (alias {@code server}). */
  public KeyStore serverIdentity() {
    return serverIdentity;
  }

  /** Returns the client key and certificate chain for mutual TLS (alias {@code client}). */
  public KeyStore clientIdentity() {
    return clientIdentity;
  }

  /**
   * Issues another server identity, signed by the same CA, whose certificate names only
   * {@code dnsNames} (no IP address): a certificate that does not match {@code localhost}.
   */
  public KeyStore serverIdentityFor(String... dnsNames) {
    try {
      return issueServer(dnsNames[0], List.of(dnsNames), List.of());
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot issue a server certificate", e);
    }
  }

  private KeyStore issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return issue(name("CN=" + commonName + ",O=Portico Tests"), KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(names.toArray(GeneralName[]::new)));
  }

  private KeyStore issue(X500Name subject, KeyPurposeId purpose, GeneralNames subjectAltNames)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    KeyPair keys = newKeyPair();
    JcaX509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
        subject, keys);
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
    builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
    if (subjectAltNames != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
    }
    X509Certificate certificate = sign(builder);
    KeyStore store = emptyStore();
    String alias = purpose == KeyPurposeId.id_kp_clientAuth ? "client" : "server";
    store.setKeyEntry(alias, keys.getPrivate(), PASSWORD, new Certificate[] {certificate, ca});
    return store;
  }

  /** Parses an RFC 2253 name through the JDK, so that it prints back the same way. */
  private static X500Name name(String rfc2253) {
    return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
  }

  private X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException, OperatorCreationException {
    PrivateKey signingKey = caKeys.getPrivate();
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, PASSWORD);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return store;
  }
}
