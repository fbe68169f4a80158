package dev.portico.gateway.examples;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The HTTPS example's certificates, made at start-up and thrown away when it stops: a self-signed
 * demo CA, and two certificates it issues, one for the server ({@code 127.0.0.1} and
 * {@code localhost}) and one for a client ({@code CN=demo-client}). DEMO ONLY: in production the
 * server's certificate comes from your CA or a public one, and client certificates from the CA you
 * trust for them.
 *
 * <p>EC P-256 keys, valid from an hour ago for one day. BouncyCastle builds the certificates; the
 * JDK's providers sign and parse them.
 */
final class DemoCertificates {
  /** The password of the in-memory key stores (PKCS12 needs one). */
  static final char[] PASSWORD = "demo-only".toCharArray();
  /** The client certificate's subject common name, which ClientCertificateAuthenticator.commonName() maps. */
  static final String CLIENT_NAME = "demo-client";

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final KeyStore serverKeyStore;
  private final KeyStore clientKeyStore;
  private final KeyPair clientKeys;
  private final X509Certificate client;

  private DemoCertificates() throws GeneralSecurityException, OperatorCreationException, IOException {
    caKeys = newKeyPair();
    X500Name caName = name("CN=Portico demo CA (throwaway),O=Portico examples");
    JcaX509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys);
    caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    caBuilder.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic()));
    ca = sign(caBuilder);

    KeyPair serverKeys = newKeyPair();
    X509Certificate server = issue(name("CN=localhost,O=Portico examples"), serverKeys, KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost")}));
    serverKeyStore = keyStore("server", serverKeys, server);

    clientKeys = newKeyPair();
    client = issue(name("CN=" + CLIENT_NAME + ",O=Portico examples"), clientKeys, KeyPurposeId.id_kp_clientAuth, null);
    clientKeyStore = keyStore("client", clientKeys, client);
  }

  /** Makes a new CA, server and client certificate. */
  static DemoCertificates generate() throws GeneralSecurityException, IOException {
    try {
      return new DemoCertificates();
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the demo certificates", e);
    }
  }

  /** The server's key and certificate chain, for the host's TLS connector. */
  KeyStore serverKeyStore() {
    return serverKeyStore;
  }

  /** A trust store with only the demo CA: for the connector (client certificates) and for clients (the server's). */
  KeyStore caTrustStore() throws GeneralSecurityException, IOException {
    KeyStore store = emptyStore();
    store.setCertificateEntry("demo-ca", ca);
    return store;
  }

  /** The client's key and certificate chain, for an HTTPS client that does mutual TLS. */
  KeyStore clientKeyStore() {
    return clientKeyStore;
  }

  /**
   * Writes {@code ca.pem}, {@code client.pem} and {@code client-key.pem} (PKCS #8, readable by the
   * owner only where the file system allows) into {@code dir}, for curl's {@code --cacert},
   * {@code --cert} and {@code --key}.
   */
  void writePem(Path dir) throws IOException, GeneralSecurityException {
    Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", ca.getEncoded()));
    Files.writeString(dir.resolve("client.pem"), pem("CERTIFICATE", client.getEncoded()));
    Path key = dir.resolve("client-key.pem");
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(key, pem("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN " + type + "-----\n" + base64.encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private X509Certificate issue(X500Name subject, KeyPair keys, KeyPurposeId purpose, GeneralNames altNames)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    JcaX509v3CertificateBuilder builder =
        builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), subject, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
    builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
    if (altNames != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, altNames);
    }
    return sign(builder);
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder builder) throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
  }

  private KeyStore keyStore(String alias, KeyPair keys, X509Certificate certificate)
      throws GeneralSecurityException, IOException {
    KeyStore store = emptyStore();
    store.setKeyEntry(alias, keys.getPrivate(), PASSWORD, new Certificate[] {certificate, ca});
    return store;
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
  }

  /** Parses an RFC 2253 name through the JDK, so that it prints back the same way. */
  private static X500Name name(String rfc2253) {
    return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, PASSWORD);
    return store;
  }
}
