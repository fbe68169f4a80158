package dev.portico.gateway.auth.mtls;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates requests by the client certificate the host's TLS connector verified
 * ({@link Exchange#clientCertificates()}), mapping its leaf certificate to an identity.
 *
 * <pre>{@code
 * // the host's connector: SslContextFactory.Server with a trust store holding the client CA,
 * // setNeedClientAuth(true) (or setWantClientAuth(true)), and a SecureRequestCustomizer
 * Gateway.builder().authenticator(ClientCertificateAuthenticator.commonName());
 * ClientCertificateAuthenticator.builder().subjectAlternativeName(SanType.URI).build();
 * ClientCertificateAuthenticator.builder()
 *     .mapping(cert -> Optional.ofNullable(registry.get(cert.getSerialNumber()))).build();
 * }</pre>
 *
 * <p>The authenticator trusts the connector's chain verification (trust store, signatures) and
 * adds one check the handshake cannot: the leaf must still be within its validity period when the
 * request arrives, since a TLS connection can outlive its certificate.
 *
 * <p>Outcomes: no client certificate is no credentials (offering a {@code ClientCertificate
 * realm="..."} challenge, so that a lone 401 still names what is missing); a certificate that is
 * expired, has no (or more than one) common name, lacks the configured subject alternative name,
 * or that the mapping does not know is rejected with {@code invalid_client}. The identity's method
 * is {@code mtls} (for the built-in mappings), its issuer the issuer's distinguished name, and its
 * claims {@code subject_dn}, {@code issuer_dn}, {@code serial} and {@code x5t#S256} (the SHA-256
 * thumbprint of RFC 8705).
 */
public final class ClientCertificateAuthenticator implements Authenticator {
  /** The identity method, {@code mtls}. */
  public static final String METHOD = "mtls";

  /** The kinds of subject alternative name a subject can be taken from. */
  public enum SanType {
    /** A {@code dNSName}. */
    DNS(2),
    /** A {@code uniformResourceIdentifier}, such as a SPIFFE id. */
    URI(6),
    /** An {@code rfc822Name}. */
    EMAIL(1);

    private final int tag;

    SanType(int tag) {
      this.tag = tag;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(ClientCertificateAuthenticator.class);

  private final Function<X509Certificate, Optional<Identity>> mapping;
  private final String description;
  private final String realm;
  private final AuthResult missing;

  private ClientCertificateAuthenticator(Function<X509Certificate, Optional<Identity>> mapping, String description,
      String realm) {
    this.mapping = mapping;
    this.description = description;
    this.realm = realm;
    this.missing = AuthResult.noCredentials(new Challenge("ClientCertificate", realm, null, null));
  }

  /** Takes the subject from the certificate subject's common name ({@code CN}). */
  public static ClientCertificateAuthenticator commonName() {
    return builder().build();
  }

  /** Returns a builder; by default the subject comes from the common name. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    List<X509Certificate> chain = exchange.clientCertificates();
    if (chain.isEmpty()) {
      return CompletableFuture.completedFuture(missing);
    }
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return rejected("The client certificate is not valid at this time.");
    }
    Optional<Identity> identity = mapping.apply(leaf);
    if (identity == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("certificate mapping " + description + " returned null"));
    }
    if (identity.isEmpty()) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} client certificate {} not mapped by {}", exchange.requestId(),
            leaf.getSubjectX500Principal().getName(X500Principal.RFC2253), description);
      }
      return rejected("The client certificate is not accepted.");
    }
    return CompletableFuture.completedFuture(AuthResult.authenticated(identity.get()));
  }

  /** Returns no headers: the credential is the TLS connection's certificate. */
  @Override
  public Set<String> credentialHeaders() {
    return Set.of();
  }

  private CompletionStage<AuthResult> rejected(String description) {
    return CompletableFuture.completedFuture(AuthResult.rejected(
        new Challenge("ClientCertificate", realm, "invalid_client", description)));
  }

  /** Builds the identity the built-in mappings return for {@code certificate} and {@code subject}. */
  static Identity identity(X509Certificate certificate, String subject) {
    String issuerDn = certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
    return Identity.builder(subject)
        .method(METHOD)
        .issuer(issuerDn)
        .claims(Map.of(
            "subject_dn", certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
            "issuer_dn", issuerDn,
            "serial", certificate.getSerialNumber().toString(16),
            "x5t#S256", thumbprint(certificate)))
        .build();
  }

  private static String thumbprint(X509Certificate certificate) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot compute certificate thumbprint", e);
    }
  }

  /** The single common name of the subject, if it has exactly one. */
  static Optional<String> commonNameOf(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
      List<String> names = new ArrayList<>(1);
      for (Rdn rdn : name.getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType()) && rdn.getValue() instanceof String cn && !cn.isBlank()) {
          names.add(cn);
        }
      }
      return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }

  /** The single subject alternative name of {@code type}, if there is exactly one. */
  static Optional<String> alternativeNameOf(X509Certificate certificate, SanType type) {
    Collection<List<?>> all;
    try {
      all = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (all == null) {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>(1);
    for (List<?> san : all) {
      if (san.size() >= 2 && san.get(0) instanceof Integer tag && tag == type.tag && san.get(1) instanceof String value) {
        names.add(value);
      }
    }
    return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
  }

  @Override
  public String toString() {
    return "ClientCertificateAuthenticator{" + description + "}";
  }

  /** Builds a {@link ClientCertificateAuthenticator}. */
  public static final class Builder {
    private Function<X509Certificate, Optional<Identity>> mapping =
        certificate -> commonNameOf(certificate).map(cn -> identity(certificate, cn));
    private String description = "common name";
    private String realm = "api";

    Builder() {}

    /** Takes the subject from the common name ({@code CN}) of the certificate's subject (the default). */
    public Builder commonName() {
      this.mapping = certificate -> commonNameOf(certificate).map(cn -> identity(certificate, cn));
      this.description = "common name";
      return this;
    }

    /** Takes the subject from the certificate's one subject alternative name of {@code type}. */
    public Builder subjectAlternativeName(SanType type) {
      requireNonNull(type, "type");
      this.mapping = certificate -> alternativeNameOf(certificate, type).map(name -> identity(certificate, name));
      this.description = "subject alternative name " + type;
      return this;
    }

    /**
     * Maps the verified leaf certificate to an identity with {@code mapping}; empty rejects the
     * certificate. The function must not block; give identities method {@code mtls}.
     */
    public Builder mapping(Function<X509Certificate, Optional<Identity>> mapping) {
      this.mapping = requireNonNull(mapping, "mapping");
      this.description = "custom mapping";
      return this;
    }

    /** Sets the realm of the {@code ClientCertificate} challenge (default {@code api}). */
    public Builder realm(String realm) {
      this.realm = requireNonNull(realm, "realm");
      return this;
    }

    /** Returns the authenticator. */
    public ClientCertificateAuthenticator build() {
      return new ClientCertificateAuthenticator(mapping, description, realm);
    }
  }
}
